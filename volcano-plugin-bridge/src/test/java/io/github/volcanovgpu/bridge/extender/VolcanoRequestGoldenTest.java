package io.github.volcanovgpu.bridge.extender;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.extender.VolcanoJsonReader.PredicateRequest;
import io.github.volcanovgpu.bridge.extender.VolcanoJsonReader.PrioritizeRequest;
import io.github.volcanovgpu.bridge.extender.VolcanoWire.Kube;
import io.github.volcanovgpu.bridge.extender.VolcanoWire.Node;
import io.github.volcanovgpu.bridge.extender.VolcanoWire.Request;
import io.github.volcanovgpu.bridge.extender.VolcanoWire.Task;
import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.Quantities;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.AssignmentWriter;
import io.github.volcanovgpu.bridge.testing.Engines;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The request bodies the real vc-scheduler (Volcano v1.16.0-alpha, ed72c7c8) sent in one session, decoded byte for
 * byte: every member the sidecar reads, on the fast path (node names only) and in the fallback (NodeInfo with its
 * Tasks), and each answered by the endpoint with a response golden. Volcano's own figures in the same bodies
 * ({@code Resreq}, {@code Allocatable} in milli-units) check that the sidecar reads the same demand and capacity as
 * Volcano does, and every member name of {@link VolcanoWire} appears in the bodies spelled exactly so.
 */
class VolcanoRequestGoldenTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String UID = "566c3c15-c14a-4332-b1d8-13648b4f4b05";
  private static final Map<String, String> GROUP = Map.of("scheduling.k8s.io/group-name", "pg1");
  private static final Map<String, String> ALLOCATABLE =
      Map.of("cpu", "8", "memory", "32Gi", "nvidia.com/gpu", "4", "pods", "110");
  private static final ContainerView CONTAINER = new ContainerView("c", Map.of("nvidia.com/gpu", "1"),
      Map.of("cpu", "1", "memory", "1Gi", "nvidia.com/gpu", "1"));

  private final VolcanoJsonReader reader = new VolcanoJsonReader();

  @Test
  void predicateCarriesThePendingTaskAndOneNode() {
    byte[] body = VolcanoGolden.request("predicate.json");

    PredicateRequest fast = reader.readPredicate(body, 0, body.length, false);
    PredicateRequest fallback = reader.readPredicate(body, 0, body.length, true);

    assertThat(fast.task()).isEqualTo(pendingTask());
    assertThat(fast.node()).isEqualTo(NodeView.named("node-a"));
    assertThat(fallback.task()).isEqualTo(pendingTask());
    assertThat(fallback.node()).isEqualTo(NodeView.of("node-a", Map.of(), ALLOCATABLE, List.of()));
  }

  @Test
  void prioritizeCarriesEveryCandidateNode() {
    byte[] body = VolcanoGolden.request("prioritize.json");

    PrioritizeRequest fast = reader.readPrioritize(body, 0, body.length, false);
    PrioritizeRequest fallback = reader.readPrioritize(body, 0, body.length, true);

    assertThat(fast.task()).isEqualTo(pendingTask());
    assertThat(fast.nodes()).containsExactly(NodeView.named("node-a"), NodeView.named("node-b"));
    assertThat(fallback.task()).isEqualTo(pendingTask());
    assertThat(fallback.nodes()).containsExactly(NodeView.of("node-a", Map.of(), ALLOCATABLE, List.of()),
        NodeView.of("node-b", Map.of(), ALLOCATABLE, List.of()));
  }

  @Test
  void allocateFuncCarriesTheChosenNodeAndStatusAllocated() {
    byte[] body = VolcanoGolden.request("allocateFunc.json");

    TaskView task = reader.readEventTask(body, 0, body.length, "allocate");

    PodView bound = pendingTask().pod().withNodeName("node-a");
    assertThat(task).isEqualTo(new TaskView(bound, TaskStatus.ALLOCATED, "node-a", GROUP));
  }

  @Test
  void onSessionOpenCarriesTheNodesByName() {
    byte[] body = VolcanoGolden.request("onSessionOpen.json");

    assertThat(reader.readSessionNodes(body, 0, body.length)).containsExactly(
        NodeView.of("node-a", Map.of(), ALLOCATABLE, List.of()),
        NodeView.of("node-b", Map.of(), ALLOCATABLE, List.of()));
  }

  @Test
  void theContainersDemandIsVolcanosResreqAndTheNodesAllocatableItsAllocatable() throws IOException {
    JsonNode predicate = JSON.readTree(VolcanoGolden.request("predicate.json"));
    byte[] body = VolcanoGolden.request("predicate.json");
    PredicateRequest read = reader.readPredicate(body, 0, body.length, true);

    JsonNode resreq = predicate.path("task").path("Resreq");
    Map<String, String> requests = read.task().pod().containers().get(0).requests();
    assertThat(Quantities.value(requests.get("cpu")) * 1000).isEqualTo(resreq.path("MilliCPU").asLong());
    assertThat(Quantities.value(requests.get("memory"))).isEqualTo(resreq.path("Memory").asLong());
    assertThat(Quantities.value(requests.get("nvidia.com/gpu")) * 1000)
        .as("extended resources are milli-units in Volcano's Resource")
        .isEqualTo(resreq.path("ScalarResources").path("nvidia.com/gpu").asLong());

    JsonNode allocatable = predicate.path("node").path("Allocatable");
    Map<String, String> ours = read.node().allocatable();
    assertThat(Quantities.value(ours.get("cpu")) * 1000).isEqualTo(allocatable.path("MilliCPU").asLong());
    assertThat(Quantities.value(ours.get("memory"))).isEqualTo(allocatable.path("Memory").asLong());
    assertThat(Quantities.value(ours.get("nvidia.com/gpu")) * 1000)
        .isEqualTo(allocatable.path("ScalarResources").path("nvidia.com/gpu").asLong());
  }

  @Test
  void everyCapturedVerbIsAnsweredAsTheResponseGoldensSay() throws IOException {
    // the pod asks nvidia.com/gpu, which the default device kinds (volcano.sh/vgpu-*) do not manage: it fits
    ExtenderEndpoint endpoint =
        new ExtenderEndpoint(Engines.fallback(AssignmentWriter.UNAVAILABLE, SchedulingPolicy.BINPACK));

    assertThat(endpoint.handle(ExtenderVerb.ON_SESSION_OPEN, VolcanoGolden.request("onSessionOpen.json")).body())
        .isEqualTo(VolcanoGolden.response("session.json"));
    assertThat(endpoint.handle(ExtenderVerb.PREDICATE, VolcanoGolden.request("predicate.json")).body())
        .isEqualTo(VolcanoGolden.response("predicate-fits.json"));
    PrioritizeResponse scores = VolcanoResponses.prioritize(
        endpoint.handle(ExtenderVerb.PRIORITIZE, VolcanoGolden.request("prioritize.json")).body());
    assertThat(scores.usable()).isTrue();
    assertThat(scores.nodeScore()).containsOnlyKeys("node-a", "node-b");
    assertThat(endpoint.handle(ExtenderVerb.ALLOCATE, VolcanoGolden.request("allocateFunc.json")).body())
        .isEqualTo(VolcanoGolden.response("event-ok.json"));
    assertThat(endpoint.handle(ExtenderVerb.ON_SESSION_CLOSE, VolcanoGolden.request("onSessionClose.json")).body())
        .isEqualTo(VolcanoGolden.response("session.json"));
  }

  @Test
  void everyMemberNameTheSidecarReadsIsSpelledAsVolcanoWritesIt() throws IOException {
    JsonNode predicate = JSON.readTree(VolcanoGolden.request("predicate.json"));
    JsonNode prioritize = JSON.readTree(VolcanoGolden.request("prioritize.json"));
    JsonNode session = JSON.readTree(VolcanoGolden.request("onSessionOpen.json"));
    JsonNode task = predicate.path(Request.TASK);
    JsonNode pod = task.path(Task.POD);
    JsonNode container = pod.path(Kube.SPEC).path(Kube.CONTAINERS).path(0);
    JsonNode node = predicate.path(Request.NODE);

    assertMembers(predicate, Request.TASK, Request.NODE);
    assertMembers(prioritize, Request.TASK, Request.NODES);
    assertMembers(session, Request.SESSION_NODES);
    assertMembers(task, Task.UID, Task.NAME, Task.NAMESPACE, Task.NODE_NAME, Task.STATUS, Task.POD,
        Task.POD_ANNOTATIONS);
    assertMembers(pod, Kube.METADATA, Kube.SPEC, Kube.STATUS);
    assertMembers(pod.path(Kube.METADATA), Kube.ANNOTATIONS, Kube.RESOURCE_VERSION, Kube.UID, Kube.NAME,
        Kube.NAMESPACE);
    assertMembers(pod.path(Kube.STATUS), Kube.PHASE);
    assertMembers(JSON.readTree(VolcanoGolden.request("allocateFunc.json")).path(Request.TASK).path(Task.POD)
        .path(Kube.SPEC), Kube.CONTAINERS, Kube.NODE_NAME);
    assertMembers(container, Kube.NAME, Kube.RESOURCES);
    assertMembers(container.path(Kube.RESOURCES), Kube.LIMITS, Kube.REQUESTS);
    assertMembers(node, Node.NAME, Node.NODE, Node.TASKS);
    assertMembers(node.path(Node.NODE), Kube.METADATA, Kube.STATUS);
    assertMembers(node.path(Node.NODE).path(Kube.METADATA), Kube.NAME);
    assertMembers(node.path(Node.NODE).path(Kube.STATUS), Kube.ALLOCATABLE);
    assertMembers(prioritize.path(Request.NODES).path(1), Node.NAME, Node.NODE, Node.TASKS);
    assertMembers(session.path(Request.SESSION_NODES).path("node-b"), Node.NAME, Node.NODE, Node.TASKS);
    // what that session lacks, the vGPU session has: node annotations, a pod in a node's Tasks, init containers
    JsonNode vgpu = JSON.readTree(VolcanoGolden.request("vgpu-session/predicate-node-a.json"));
    assertMembers(vgpu.path(Request.NODE).path(Node.NODE).path(Kube.METADATA), Kube.ANNOTATIONS, Kube.NAME);
    JsonNode nodeTask = vgpu.path(Request.NODE).path(Node.TASKS).elements().next();
    assertMembers(nodeTask, Task.UID, Task.NAME, Task.NAMESPACE, Task.POD);
    assertMembers(nodeTask.path(Task.POD).path(Kube.SPEC), Kube.CONTAINERS, Kube.NODE_NAME);
    assertMembers(nodeTask.path(Task.POD).path(Kube.STATUS), Kube.PHASE);
    assertMembers(vgpu.path(Request.TASK).path(Task.POD).path(Kube.SPEC), Kube.INIT_CONTAINERS, Kube.CONTAINERS);
  }

  private static void assertMembers(JsonNode object, String... names) {
    assertThat(object.isObject()).as("an object, with %s", List.of(names)).isTrue();
    for (String name : names) {
      assertThat(object.has(name)).as("member %s, spelled exactly so (has %s)", name, fieldNames(object)).isTrue();
    }
  }

  private static List<String> fieldNames(JsonNode object) {
    List<String> names = new java.util.ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static TaskView pendingTask() {
    PodView pod = new PodView(UID, "default", "gpu-pod", GROUP, List.of(CONTAINER), List.of(), "", "Pending", "98");
    return new TaskView(pod, TaskStatus.PENDING, "", GROUP);
  }
}
