package io.github.volcanovgpu.plugin.vendor;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.EngineConfig;
import io.github.volcanovgpu.bridge.scheduling.NodeLock;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.simulate.InMemoryCluster;
import io.github.volcanovgpu.bridge.testing.TestPods;
import io.github.volcanovgpu.bridge.vendor.VendorCatalog;
import io.github.volcanovgpu.contract.annotation.AscendAnnotations;
import io.github.volcanovgpu.contract.annotation.HamiAnnotations;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.plugin.allocate.AllocationHandler;
import io.github.volcanovgpu.plugin.allocate.FakePodSource;
import io.github.volcanovgpu.plugin.allocate.PodSnapshot;
import io.github.volcanovgpu.plugin.device.DeviceBackend;
import io.github.volcanovgpu.plugin.device.NodeContext;
import io.github.volcanovgpu.plugin.device.NodeServing;
import io.github.volcanovgpu.plugin.device.PluginResource;
import io.github.volcanovgpu.plugin.register.NodeConfig;
import io.github.volcanovgpu.plugin.vendor.ascend.AscendBackend;
import io.github.volcanovgpu.plugin.vendor.ascend.AscendSettings;
import io.github.volcanovgpu.plugin.vendor.ascend.FakeDcmiPort;
import io.github.volcanovgpu.plugin.vendor.vastai.DeviceStrategy;
import io.github.volcanovgpu.plugin.vendor.vastai.FakeVastaiPort;
import io.github.volcanovgpu.plugin.vendor.vastai.VastaiBackend;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateRequest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node half and the scheduler half of the Ascend and Vastai kinds agree, in-process: what a backend registers
 * is what the sidecar's kinds decode and place pods on, and what the sidecar writes on a placed pod is what the
 * backend's Allocate hands out (the full stack over HTTP is the e2e suite's).
 */
class SchedulerHalfAgreesTest {
  private static final String NODE = HamiPods.NODE;
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-04T10:00:00Z"), ZoneOffset.UTC);

  @TempDir
  Path hook;

  private final InMemoryCluster cluster = new InMemoryCluster();
  private final PlacementEngine sidecar = new PlacementEngine(VendorCatalog.kinds(DeviceConfig.defaults()), cluster,
      cluster, NodeLock.DISABLED, EngineConfig.defaults().withPolicy(SchedulingPolicy.BINPACK), CLOCK);
  private final FakePodSource pods = new FakePodSource();

  /** Serves the backend for the node and puts the Node as the kubelet and the plugin leave it into the cluster. */
  private NodeServing serve(DeviceBackend backend, boolean hamiCore) {
    NodeConfig nodes = NodeConfig.parse("{\"nodeconfig\":[{\"name\":\"" + NODE + "\",\"hami-vnpu-core\":" + hamiCore
        + "}]}", "t");
    NodeServing s = backend.serve(new NodeContext(NODE, DeviceConfig.defaults(), nodes, Map.of(), pods,
        Runnable::run, CLOCK));
    Map<String, String> allocatable = new LinkedHashMap<>();
    for (PluginResource r : s.resources()) {
      allocatable.put(r.resourceName(), Integer.toString(r.devices().size()));
    }
    Map<String, String> annotations = new LinkedHashMap<>(s.registration().orElseThrow().annotations(Map.of()));
    annotations.putAll(s.registration().orElseThrow().heartbeat(CLOCK.instant()));
    cluster.putNode(NodeView.of(NODE, annotations, allocatable, List.of()));
    return s;
  }

  /** The sidecar places the pod on the node (Volcano's allocate) and returns the pod as it annotated it. */
  private PodSnapshot placed(PodView pod) {
    cluster.putPod(pod);
    assertThat(sidecar.allocate(new TaskView(pod.withNodeName(NODE), TaskStatus.ALLOCATED, NODE, Map.of())).isOk())
        .as("the sidecar places %s", pod.key()).isTrue();
    PodView p = cluster.pod(pod.uid()).orElseThrow();
    PodSnapshot snapshot = new PodSnapshot(p.namespace(), p.name(), p.uid(), "1", PodSnapshot.PENDING, NODE, 0,
        p.annotations(), containers(p.initContainers()), containers(p.containers()));
    pods.put(snapshot);
    return snapshot;
  }

  private static List<PodSnapshot.Container> containers(List<ContainerView> views) {
    List<PodSnapshot.Container> out = new ArrayList<>();
    views.forEach(c -> out.add(new PodSnapshot.Container(c.name(), c.limits(), java.util.Set.of())));
    return out;
  }

  /** The kubelet's Allocate after GetPreferredAllocation: one ID of each device the handler expects. */
  private static Map<String, String> allocate(PluginResource r, int kubeletIds) {
    AllocationHandler h = r.handler();
    List<String> ids = h.expectedCards(r.resourceName(), kubeletIds).stream().limit(kubeletIds)
        .map(d -> d + "-0").toList();
    return h.allocate(r.resourceName(), AllocateRequest.newBuilder().addContainerRequests(
        ContainerAllocateRequest.newBuilder().addAllDevicesIds(ids)).build()).getContainerResponses(0).getEnvsMap();
  }

  private AscendBackend ascend(String fixture) {
    return new AscendBackend(FakeDcmiPort.fixture(fixture, NODE), new AscendSettings(hook, hook.resolve("shared"),
        List.of(), Duration.ZERO), CLOCK);
  }

  @Test
  void a910cHamiCoreShareOfOneNpuIsAModulePairOnBothSides() {
    NodeServing s = serve(ascend("910Cx16"), true);
    PodSnapshot pod = placed(TestPods.pod("soft").npu("Ascend910C", 1, 16384, 30)
        .annotation(AscendAnnotations.VNPU_MODE, "hami-core").build());

    Map<String, String> envs = allocate(s.resources().get(0), 1);

    String[] phy = envs.get("ASCEND_VISIBLE_DEVICES").split(",");
    assertThat(phy).hasSize(2);
    assertThat(Integer.parseInt(phy[0]) / 2).as("one module").isEqualTo(Integer.parseInt(phy[1]) / 2);
    assertThat(envs).containsEntry("NPU_MEM_QUOTA", "16384").containsEntry("NPU_PRIORITY", "30");
    assertThat(pods.annotation(pod.name(), HamiAnnotations.BIND_PHASE)).isEqualTo("success");
  }

  @Test
  void aTemplatePodGetsTheTemplateTheSidecarTrimmedItsMemoryTo() {
    NodeServing s = serve(ascend("910B3x8"), false);
    PodSnapshot pod = placed(TestPods.pod("vnpu").npu("Ascend910B3", 1, 10000, 0).build());

    Map<String, String> envs = allocate(s.resources().get(0), 1);

    assertThat(envs).containsEntry("ASCEND_VNPU_SPECS", "vir05_1c_16g").containsKey("ASCEND_VISIBLE_DEVICES");
    assertThat(pods.annotation(pod.name(), HamiAnnotations.BIND_PHASE)).isEqualTo("success");
  }

  @Test
  void theReleaseNotesAliasesReachTheAliasResource() {
    NodeServing s = serve(ascend("910Cx16"), true);
    PodSnapshot pod = placed(TestPods.pod("alias").limits(Map.of("hami.io/vnpu-core", "2",
        "hami.io/vnpu-core-memory", "32768")).annotation(AscendAnnotations.ALIAS_CHIP, "ascend910c").build());

    Map<String, String> envs = allocate(s.resources().get(1), 2);

    assertThat(envs.get("ASCEND_VISIBLE_DEVICES").split(",")).hasSize(2);
    assertThat(envs).containsEntry("NPU_MEM_QUOTA", "32768");
    assertThat(pods.annotation(pod.name(), HamiAnnotations.BIND_PHASE)).isEqualTo("success");
  }

  @Test
  void vastaiDiesOfOneCardInDieMode() {
    NodeServing s = serve(new VastaiBackend(FakeVastaiPort.fromArgument("2x4", NODE), DeviceStrategy.DIE,
        Duration.ZERO, CLOCK), false);
    PodSnapshot pod = placed(TestPods.pod("va").va(3).build());

    Map<String, String> envs = allocate(s.resources().get(0), 3);

    List<Integer> indexes = java.util.Arrays.stream(envs.get(VastaiBackend.VISIBLE_DEVICES).split(","))
        .map(Integer::parseInt).toList();
    assertThat(indexes).hasSize(3).allSatisfy(i -> assertThat(i / 4).isEqualTo(indexes.get(0) / 4));
    assertThat(pods.annotation(pod.name(), HamiAnnotations.BIND_PHASE)).isEqualTo("success");
  }
}
