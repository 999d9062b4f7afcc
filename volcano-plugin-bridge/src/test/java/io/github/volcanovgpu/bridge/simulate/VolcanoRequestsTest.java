package io.github.volcanovgpu.bridge.simulate;

import static io.github.volcanovgpu.bridge.extender.VolcanoFixtures.REQUESTS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.volcanovgpu.bridge.extender.VolcanoFixtures;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.TaskView;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class VolcanoRequestsTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final NodeView node = VolcanoFixtures.realisticNode("gpu-node-1");
  private final TaskView task = VolcanoFixtures.pendingTask("job-x", 1, 3000, 20);

  @Test
  void realisticPredicateBodyIsAboutSeventyFourKilobytes() {
    byte[] body = REQUESTS.predicate(task, node);

    assertThat(body.length).isBetween(65_000, 85_000);
  }

  @Test
  void fullPodDetailWritesWhatAnInformerHolds() throws IOException {
    VolcanoRequests full = new VolcanoRequests(VolcanoFixtures.NOW, VolcanoRequests.PodDetail.FULL);
    byte[] body = full.predicate(task, node);
    JsonNode pod = MAPPER.readTree(body).at("/node/Tasks").elements().next().get("Pod");

    assertThat(body.length).isGreaterThan(REQUESTS.predicate(task, node).length * 2);
    assertThat(pod.at("/spec/volumes/0/projected")).isNotNull();
    assertThat(pod.at("/status/containerStatuses/0/state/running/startedAt").asText()).isNotEmpty();
    assertThat(pod.at("/status/conditions").size()).isEqualTo(4);
  }

  @Test
  void taskInfoFieldsComeInGoStructOrder() throws IOException {
    JsonNode taskInfo = MAPPER.readTree(REQUESTS.predicate(task, node)).get("task");

    assertThat(fieldNames(taskInfo))
        .containsExactly("UID", "Job", "Name", "Namespace", "TaskRole", "Resreq", "InitResreq", "DRAResreq",
            "ResourceClaimKeys", "ResourceClaimDRAResreq", "NodeName", "EvictionOccurred", "JobAllocatedHyperNode",
            "Status", "LastTransaction", "Priority", "VolumeReady",
            "Preemptable", "BestEffort", "HasRestartableInitContainer", "SchGated", "RevocableZone", "NumaInfo",
            "Pod", "PodAnnotations", "CustomBindErrHandlerSucceeded");
    assertThat(fieldNames(taskInfo.get("Pod"))).containsExactly("metadata", "spec", "status");
  }

  @Test
  void nodeInfoStartsWithNameAndCarriesEveryTask() throws IOException {
    JsonNode nodeInfo = MAPPER.readTree(REQUESTS.predicate(task, node)).get("node");

    assertThat(fieldNames(nodeInfo).get(0)).isEqualTo("Name");
    assertThat(fieldNames(nodeInfo))
        .containsSubsequence("Name", "Node", "State", "Releasing", "Pipelined", "Idle", "Used", "Allocatable",
            "Capacity", "ResourceUsage", "Tasks", "NumaInfo", "RevocableZone", "Others", "ImageStates",
            "Generation", "BindGeneration");
    assertThat(nodeInfo.get("Tasks").size()).isEqualTo(40);
    assertThat(nodeInfo.at("/Node/metadata/annotations/volcano.sh~1node-vgpu-register").asText()).endsWith(":");
  }

  @Test
  void resourceIsMilliCpuBytesAndScalarMilliUnitsWrittenAsGoFloats() throws IOException {
    byte[] body = REQUESTS.predicate(task, node);
    JsonNode resreq = MAPPER.readTree(body).at("/task/Resreq");

    assertThat(fieldNames(resreq)).containsExactly("MilliCPU", "Memory", "ScalarResources", "MaxTaskNum");
    assertThat(resreq.get("MilliCPU").asLong()).isEqualTo(2000);
    assertThat(resreq.get("Memory").asLong()).isEqualTo(8L << 30);
    assertThat(resreq.at("/ScalarResources/volcano.sh~1vgpu-memory").asLong()).isEqualTo(3_000_000);
    assertThat(resreq.at("/ScalarResources/volcano.sh~1vgpu-number").asLong()).isEqualTo(1000);
    // Go writes integral float64 values without fraction or exponent
    assertThat(new String(body, StandardCharsets.UTF_8)).contains("\"Memory\":8589934592,");
  }

  @Test
  void sessionOpenUsesCapitalisedKeysAndNodesByName() throws IOException {
    JsonNode open = MAPPER.readTree(REQUESTS.onSessionOpen(List.of(task), List.of(node)));

    assertThat(fieldNames(open))
        .containsExactly("Jobs", "Nodes", "Queues", "NamespaceInfo", "RevocableNodes", "NodeList");
    assertThat(open.get("Nodes").has("gpu-node-1")).isTrue();
    assertThat(open.get("Jobs").size()).isEqualTo(1);
  }

  @Test
  void equalInputsGiveEqualBytes() {
    assertThat(REQUESTS.prioritize(task, List.of(node, node)))
        .isEqualTo(new VolcanoRequests(VolcanoFixtures.NOW).prioritize(task, List.of(node, node)));
  }

  @Test
  void eventBodyCarriesTheTaskWithItsNodeAndStatus() throws IOException {
    JsonNode body = MAPPER.readTree(REQUESTS.allocate(VolcanoFixtures.allocated(task, "gpu-node-1")));

    assertThat(body.at("/task/NodeName").asText()).isEqualTo("gpu-node-1");
    assertThat(body.at("/task/Status").asInt()).isEqualTo(2);
    assertThat(body.at("/task/Pod/spec/nodeName").asText()).isEqualTo("gpu-node-1");
    assertThat(body.at("/task/PodAnnotations/scheduling.k8s.io~1group-name").asText()).isEqualTo("job-x-pg");
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
      names.add(it.next());
    }
    return names;
  }
}
