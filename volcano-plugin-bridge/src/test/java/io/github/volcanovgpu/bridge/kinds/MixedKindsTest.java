package io.github.volcanovgpu.bridge.kinds;

import static io.github.volcanovgpu.bridge.testing.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.EngineConfig;
import io.github.volcanovgpu.bridge.scheduling.NodeLock;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.scheduling.PredicateResult;
import io.github.volcanovgpu.bridge.simulate.InMemoryCluster;
import io.github.volcanovgpu.bridge.testing.Engines;
import io.github.volcanovgpu.bridge.testing.HamiNodes;
import io.github.volcanovgpu.bridge.testing.TestNodes;
import io.github.volcanovgpu.bridge.vendor.VendorCatalog;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pods and nodes with more than one device kind, through the scheduling core. */
class MixedKindsTest {
  private final InMemoryCluster cluster = new InMemoryCluster();
  private final PlacementEngine engine = new PlacementEngine(VendorCatalog.kinds(DeviceConfig.defaults()), cluster,
      cluster, NodeLock.DISABLED, EngineConfig.defaults().withPolicy(SchedulingPolicy.BINPACK), Engines.FIXED);

  /** A node with two NVIDIA GPUs and two Ascend 910B3 NPUs in hami-core mode. */
  private NodeView both(String name) {
    NodeView gpus = TestNodes.node(name).gpus(2, 16384).build();
    NodeView npus = HamiNodes.ascend(name, "Ascend910B3").npus(2).hamiCore(true).build();
    Map<String, String> annotations = new LinkedHashMap<>(gpus.annotations());
    annotations.putAll(npus.annotations());
    Map<String, String> allocatable = new LinkedHashMap<>(gpus.allocatable());
    allocatable.putAll(npus.allocatable());
    return NodeView.of(name, annotations, allocatable, java.util.List.of());
  }

  @Test
  void aPodAskingTwoKindsInTwoContainersGetsBothOrNothing() {
    cluster.putNode(both("n1"));
    cluster.putNode(TestNodes.node("gpu-only").gpus(2, 16384).build());
    PodView p = pod("p").gpu(1, 4096, 20).npu("Ascend910B3", 1, 8192, 30).build();
    cluster.putPod(p);

    PredicateResult gpuOnly = engine.predicate(TaskView.of(p), NodeView.named("gpu-only"));
    assertThat(gpuOnly.isSuccess()).isFalse();
    assertThat(gpuOnly.reason()).contains("hami.io/node-register-Ascend910B3");

    assertThat(engine.allocate(new TaskView(p.withNodeName("n1"), TaskStatus.ALLOCATED, "n1", Map.of())).isOk())
        .isTrue();
    Map<String, String> a = cluster.pod(p.uid()).orElseThrow().annotations();
    assertThat(a).containsKeys("volcano.sh/vgpu-ids-new", "hami.io/Ascend910B3-devices-allocated",
        "huawei.com/Ascend910B3");
    assertThat(engine.usage("hamivgpu").get("n1").devices().get(0).usedMemoryUnits()
        + engine.usage("hamivgpu").get("n1").devices().get(1).usedMemoryUnits()).isEqualTo(4096);
    assertThat(engine.usage("Ascend910B3").get("n1").devices().stream().mapToInt(d -> d.usedCoresPercent()).sum())
        .isEqualTo(30);

    PodView annotated = cluster.pod(p.uid()).orElseThrow();
    assertThat(engine.deallocate(new TaskView(annotated, TaskStatus.ALLOCATED, "n1", Map.of())).isOk()).isTrue();
    assertThat(cluster.pod(p.uid()).orElseThrow().annotations()).isEmpty();
    assertThat(engine.reservations()).isZero();
  }

  @Test
  void aContainerAskingTwoKindsIsRefusedWithAReason() {
    cluster.putNode(both("n1"));
    PodView p = pod("p").limits(Map.of("volcano.sh/vgpu-number", "1", "huawei.com/Ascend910B3", "1")).build();
    PredicateResult r = engine.predicate(TaskView.of(p), NodeView.named("n1"));
    assertThat(r.isSuccess()).isFalse();
    assertThat(r.reason()).isEqualTo("pod default/p container c0 asks for devices of two kinds (hamivgpu and "
        + "Ascend910B3); a container can use one kind of device: move one request to another container");
    assertThat(engine.allocate(new TaskView(p, TaskStatus.ALLOCATED, "n1", Map.of())).isOk()).isFalse();
    assertThat(engine.reservations()).isZero();
  }

  @Test
  void podsOfOneKindIgnoreTheOtherKindsDevicesOnTheNode() {
    cluster.putNode(both("n1"));
    PodView npuPod = pod("npu").npu("Ascend910B3", 2, 65536, 100).build();
    cluster.putPod(npuPod);
    assertThat(engine.allocate(new TaskView(npuPod.withNodeName("n1"), TaskStatus.ALLOCATED, "n1", Map.of()))
        .isOk()).isTrue();
    cluster.bind(npuPod.uid(), "n1");
    PodView gpuPod = pod("gpu").gpu(2, 16384, 100).build();
    assertThat(engine.predicate(TaskView.of(gpuPod), NodeView.named("n1")).isSuccess()).isTrue();
    assertThat(engine.predicate(TaskView.of(pod("npu2").npu("Ascend910B3", 1, 1000, 0).build()),
        NodeView.named("n1")).isSuccess()).isFalse();
  }
}
