package io.github.volcanovgpu.bridge.simulate;

import static io.github.volcanovgpu.bridge.extender.VolcanoFixtures.REQUESTS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.volcanovgpu.bridge.extender.VolcanoFixtures;
import io.github.volcanovgpu.bridge.extender.VolcanoGolden;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.TaskView;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Volcano stand-in writes the shape the real vc-scheduler wrote (the captured goldens): the same members in the
 * same order in every Volcano struct (request bodies, TaskInfo, NodeInfo, Resource, JobInfo and its sub-job,
 * QueueInfo) and the same top level of the Kubernetes objects. Values differ (other pods, other nodes); the shape
 * does not.
 */
class VolcanoRequestsGoldenTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final NodeView node = VolcanoFixtures.realisticNode("node-a");
  private final TaskView task = VolcanoFixtures.pendingTask("job-x", 1, 3000, 20);

  @Test
  void predicateHasTheCapturedShape() throws IOException {
    JsonNode ours = JSON.readTree(REQUESTS.predicate(task, node));
    JsonNode real = golden("predicate.json");

    assertSameMembers(ours, real, "");
    assertTaskInfo(ours.path("task"), real.path("task"));
    assertNodeInfo(ours.path("node"), real.path("node"));
  }

  @Test
  void aPodOnANodeHasTheShapeOfTheCapturedRunningPod() throws IOException {
    JsonNode ours = JSON.readTree(REQUESTS.predicate(task, node)).path("node").path("Tasks").elements().next();
    JsonNode real = golden("vgpu-session/predicate-node-a.json").path("node").path("Tasks")
        .path("default/running-pod");

    assertTaskInfo(ours, real);
  }

  @Test
  void prioritizeHasTheCapturedShape() throws IOException {
    JsonNode ours = JSON.readTree(REQUESTS.prioritize(task, List.of(node, VolcanoFixtures.gpuNode("node-b", 2, 1))));
    JsonNode real = golden("prioritize.json");

    assertSameMembers(ours, real, "");
    assertTaskInfo(ours.path("task"), real.path("task"));
    assertThat(ours.path("nodes").size()).isEqualTo(real.path("nodes").size());
    assertNodeInfo(ours.path("nodes").path(1), real.path("nodes").path(1));
  }

  @Test
  void allocateFuncHasTheCapturedShape() throws IOException {
    JsonNode ours = JSON.readTree(REQUESTS.allocate(VolcanoFixtures.allocated(task, "node-a")));
    JsonNode real = golden("allocateFunc.json");

    assertSameMembers(ours, real, "");
    assertTaskInfo(ours.path("task"), real.path("task"));
    assertThat(ours.at("/task/Status").asInt()).isEqualTo(real.at("/task/Status").asInt());
  }

  @Test
  void onSessionOpenHasTheCapturedShape() throws IOException {
    JsonNode ours = JSON.readTree(REQUESTS.onSessionOpen(List.of(task), List.of(node)));
    JsonNode real = golden("onSessionOpen.json");

    assertSameMembers(ours, real, "");
    JsonNode ourJob = ours.path("Jobs").path("team-b/job-x-pg");
    JsonNode realJob = real.path("Jobs").path("default/pg1");
    assertSameMembers(ourJob, realJob, "Jobs[id]");
    assertThat(ourJob.path("UID").asText()).as("a JobID is <namespace>/<podgroup>").isEqualTo("team-b/job-x-pg");
    assertSameMembers(ourJob.path("SubJobs").path("team-b/job-x-pg"), realJob.path("SubJobs").path("default/pg1"),
        "SubJobs[id]");
    assertSameMembers(ourJob.path("PodGroup"), realJob.path("PodGroup"), "PodGroup");
    assertSameMembers(ourJob.path("Budget"), realJob.path("Budget"), "Budget");
    assertTaskInfo(ourJob.path("Tasks").elements().next(), realJob.path("Tasks").elements().next());
    assertSameMembers(ours.path("Queues").path("default"), real.path("Queues").path("default"), "QueueInfo");
    assertNodeInfo(ours.path("Nodes").path("node-a"), real.path("Nodes").path("node-a"));
  }

  @Test
  void onSessionCloseIsTheCapturedBody() {
    assertThat(REQUESTS.onSessionClose()).isEqualTo(VolcanoGolden.request("onSessionClose.json"));
  }

  private static void assertTaskInfo(JsonNode ours, JsonNode real) {
    assertSameMembers(ours, real, "TaskInfo");
    assertSameMembers(ours.path("Resreq"), real.path("Resreq"), "TaskInfo.Resreq");
    assertSameMembers(ours.path("NumaInfo"), real.path("NumaInfo"), "TaskInfo.NumaInfo");
    assertSameMembers(ours.path("Pod"), real.path("Pod"), "TaskInfo.Pod");
  }

  private static void assertNodeInfo(JsonNode ours, JsonNode real) {
    assertSameMembers(ours, real, "NodeInfo");
    assertSameMembers(ours.path("Idle"), real.path("Idle"), "NodeInfo.Idle");
    assertSameMembers(ours.path("ResourceUsage"), real.path("ResourceUsage"), "NodeInfo.ResourceUsage");
    assertSameMembers(ours.path("Node"), real.path("Node"), "NodeInfo.Node");
  }

  private static void assertSameMembers(JsonNode ours, JsonNode real, String what) {
    assertThat(real.isObject()).as("the capture has %s", what).isTrue();
    assertThat(names(ours)).as("members of %s, in Go struct order", what).isEqualTo(names(real));
  }

  private static List<String> names(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static JsonNode golden(String name) throws IOException {
    return JSON.readTree(VolcanoGolden.request(name));
  }
}
