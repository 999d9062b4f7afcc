package io.github.volcanovgpu.bridge.extender;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.extender.VolcanoJsonReader.PredicateRequest;
import io.github.volcanovgpu.bridge.extender.VolcanoJsonReader.PrioritizeRequest;
import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.Quantities;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.simulate.InMemoryCluster;
import io.github.volcanovgpu.bridge.testing.Engines;
import io.github.volcanovgpu.contract.annotation.PodDevicesCodec;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A vGPU session of the real vc-scheduler (v1.16, captured byte for byte: compact Go encoding, {@code \u003c}-style
 * escapes, quantities as the API server canonicalised them): two registered nodes, {@code node-a} running a vGPU pod
 * (so its NodeInfo carries a task), and a pending pod with an init container, a plain container and a vGPU
 * container. Decoded on both paths, then played through the fallback engine (nodes from Volcano's bodies, no cache)
 * exactly as Volcano called it: onSessionOpen, predicate on each node, prioritize, allocateFunc.
 */
class VolcanoVgpuSessionGoldenTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DIR = "vgpu-session/";
  private static final String GPU_A1 = "GPU-6f5e0a34-0c5b-4a2e-9a57-3c1d8e2f4a01";
  private static final String REGISTER_A = GPU_A1 + ",10,40960,NVIDIA-NVIDIA A100-PCIE-40GB,true,hami-core:"
      + "GPU-6f5e0a34-0c5b-4a2e-9a57-3c1d8e2f4a02,10,40960,NVIDIA-NVIDIA A100-PCIE-40GB,true,hami-core:";
  private static final Map<String, String> ALLOCATABLE = Map.of("cpu", "8", "memory", "32Gi", "pods", "110",
      "volcano.sh/vgpu-number", "20", "volcano.sh/vgpu-memory", "81920", "volcano.sh/vgpu-cores", "200");
  /** The API server wrote 2000 and 4000 MiB back as 2k and 4k. */
  private static final Map<String, String> SHARE = Map.of("volcano.sh/vgpu-number", "1",
      "volcano.sh/vgpu-memory", "2k", "volcano.sh/vgpu-cores", "30");

  private final VolcanoJsonReader reader = new VolcanoJsonReader();

  private static byte[] body(String name) {
    return VolcanoGolden.request(DIR + name);
  }

  private static TaskView pendingTask() {
    Map<String, String> annotations = Map.of("scheduling.k8s.io/group-name", "pg1",
        "nvidia.com/use-gputype", "A100", "example.com/note", "a<b & c>d");
    Map<String, String> workerRequests = new LinkedHashMap<>(SHARE);
    workerRequests.put("cpu", "1");
    workerRequests.put("memory", "1Gi");
    PodView pod = new PodView("b839bb18-19b7-4ad7-95b6-98701e7ee8ee", "default", "vgpu-pod", annotations,
        List.of(new ContainerView("sidecar", Map.of(), Map.of("cpu", "500m", "memory", "128Mi")),
            new ContainerView("worker", SHARE, workerRequests)),
        List.of(new ContainerView("init", Map.of(), Map.of("cpu", "100m"))), "", "Pending", "100");
    return new TaskView(pod, TaskStatus.PENDING, "", annotations);
  }

  private static PodView runningPod() {
    Map<String, String> annotations = Map.of(VgpuAnnotations.BIND_PHASE, "success",
        VgpuAnnotations.BIND_TIME, "1764854001", VgpuAnnotations.DEVICES_TO_ALLOCATE, ";",
        VgpuAnnotations.VGPU_IDS_NEW, GPU_A1 + ",NVIDIA,4000,25:;", VgpuAnnotations.VGPU_NODE, "node-a",
        VgpuAnnotations.VGPU_TIME, "1764854000");
    Map<String, String> share = Map.of("volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-memory", "4k",
        "volcano.sh/vgpu-cores", "25");
    return new PodView("abecc9d1-7826-45ce-94ca-d3b340130695", "default", "running-pod", annotations,
        List.of(new ContainerView("train", share, share)), List.of(), "node-a", "Running", "98");
  }

  private static NodeView nodeA() {
    return NodeView.of("node-a", Map.of(VgpuAnnotations.NODE_REGISTER, REGISTER_A,
        VgpuAnnotations.NODE_HANDSHAKE, "Reported 2026-12-04 13:32:36"), ALLOCATABLE, List.of(runningPod()));
  }

  @Test
  void predicateCarriesThePodWithItsInitContainerAndTheNodeWithItsRunningPod() {
    byte[] body = body("predicate-node-a.json");

    PredicateRequest fast = reader.readPredicate(body, 0, body.length, false);
    PredicateRequest fallback = reader.readPredicate(body, 0, body.length, true);

    assertThat(fast.task()).isEqualTo(pendingTask());
    assertThat(fast.node()).isEqualTo(NodeView.named("node-a"));
    assertThat(fallback.task()).isEqualTo(pendingTask());
    assertThat(fallback.node()).isEqualTo(nodeA());
    byte[] empty = body("predicate-node-b.json");
    NodeView nodeB = reader.readPredicate(empty, 0, empty.length, true).node();
    assertThat(nodeB.pods()).isEmpty();
    assertThat(nodeB.annotations()).containsKey(VgpuAnnotations.NODE_REGISTER);
  }

  @Test
  void prioritizeSessionAndAllocateCarryTheSameNodesAndTask() {
    byte[] prioritize = body("prioritize.json");
    byte[] open = body("onSessionOpen.json");
    byte[] allocate = body("allocateFunc.json");

    PrioritizeRequest names = reader.readPrioritize(prioritize, 0, prioritize.length, false);
    PrioritizeRequest detailed = reader.readPrioritize(prioritize, 0, prioritize.length, true);

    assertThat(names.nodes()).extracting(NodeView::name).containsExactly("node-b", "node-a");
    assertThat(detailed.nodes().get(1)).isEqualTo(nodeA());
    assertThat(reader.readSessionNodes(open, 0, open.length)).extracting(NodeView::name)
        .containsExactlyInAnyOrder("node-a", "node-b");
    assertThat(reader.readSessionNodes(open, 0, open.length)).contains(nodeA());
    TaskView allocated = reader.readEventTask(allocate, 0, allocate.length, "allocate");
    assertThat(allocated).isEqualTo(new TaskView(pendingTask().pod().withNodeName("node-b"), TaskStatus.ALLOCATED,
        "node-b", pendingTask().podAnnotations()));
  }

  @Test
  void theDemandAndTheNodeUsageReadAreVolcanosOwnFigures() throws IOException {
    JsonNode predicate = JSON.readTree(body("predicate-node-a.json"));
    byte[] body = body("predicate-node-a.json");
    PredicateRequest read = reader.readPredicate(body, 0, body.length, true);

    // Volcano's Resreq: the containers' requests summed, extended resources in milli-units (2k MiB = 2000000)
    JsonNode resreq = predicate.path("task").path("Resreq");
    long milliCpu = read.task().pod().containers().stream().mapToLong(c -> milli(c.requests().get("cpu"))).sum();
    assertThat(milliCpu).as("500m + 1").isEqualTo(resreq.path("MilliCPU").asLong());
    for (Map.Entry<String, String> e : SHARE.entrySet()) {
      assertThat(Quantities.value(e.getValue()) * 1000).as(e.getKey())
          .isEqualTo(resreq.path("ScalarResources").path(e.getKey()).asLong());
    }
    // Volcano's Used of node-a: the running pod the sidecar read from the node's Tasks
    JsonNode used = predicate.path("node").path("Used").path("ScalarResources");
    Map<String, String> running = read.node().pods().get(0).containers().get(0).requests();
    for (String resource : SHARE.keySet()) {
      assertThat(Quantities.value(running.get(resource)) * 1000).as(resource)
          .isEqualTo(used.path(resource).asLong());
    }
  }

  /** CPU in milli-cores: {@code 500m} or whole cores. */
  private static long milli(String cpu) {
    return cpu.endsWith("m") ? Long.parseLong(cpu.substring(0, cpu.length() - 1)) : Quantities.value(cpu) * 1000;
  }

  @Test
  void theSessionPlayedThroughTheFallbackEngineFitsPrefersTheBusyNodeAndAllocates() {
    InMemoryCluster cluster = new InMemoryCluster();
    cluster.putPod(pendingTask().pod());
    ExtenderEndpoint endpoint = new ExtenderEndpoint(Engines.fallback(cluster, SchedulingPolicy.BINPACK));

    assertThat(endpoint.handle(ExtenderVerb.ON_SESSION_OPEN, body("onSessionOpen.json")).body())
        .isEqualTo(VolcanoGolden.response("session.json"));
    assertThat(endpoint.handle(ExtenderVerb.PREDICATE, body("predicate-node-a.json")).body())
        .isEqualTo(VolcanoGolden.response("predicate-fits.json"));
    assertThat(endpoint.handle(ExtenderVerb.PREDICATE, body("predicate-node-b.json")).body())
        .isEqualTo(VolcanoGolden.response("predicate-fits.json"));
    PrioritizeResponse scores = VolcanoResponses.prioritize(
        endpoint.handle(ExtenderVerb.PRIORITIZE, body("prioritize.json")).body());
    assertThat(scores.usable()).isTrue();
    assertThat(scores.nodeScore().get("node-a")).as("binpack: the node already running a share scores higher")
        .isGreaterThan(scores.nodeScore().get("node-b"));

    // Volcano chose node-b (the stub it talked to scored both alike): the allocation lands there
    assertThat(endpoint.handle(ExtenderVerb.ALLOCATE, body("allocateFunc.json")).body())
        .isEqualTo(VolcanoGolden.response("event-ok.json"));
    Map<String, String> written = cluster.pod(pendingTask().pod().uid()).orElseThrow().annotations();
    assertThat(written).containsEntry(VgpuAnnotations.VGPU_NODE, "node-b");
    assertThat(PodDevicesCodec.decodeStrict(written.get(VgpuAnnotations.VGPU_IDS_NEW)).containers())
        .as("one entry, for the container asking devices (the worker); a share of one node-b card")
        .singleElement().satisfies(slices -> assertThat(slices).singleElement().satisfies(slice -> {
          assertThat(slice.uuid()).startsWith("GPU-9b2c7d10");
          assertThat(slice.memoryUnits()).isEqualTo(2000);
          assertThat(slice.coresPercent()).isEqualTo(30);
        }));
    assertThat(endpoint.handle(ExtenderVerb.ON_SESSION_CLOSE, body("onSessionClose.json")).body())
        .isEqualTo(VolcanoGolden.response("session.json"));
  }
}
