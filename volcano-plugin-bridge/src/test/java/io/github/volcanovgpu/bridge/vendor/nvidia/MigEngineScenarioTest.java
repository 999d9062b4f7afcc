package io.github.volcanovgpu.bridge.vendor.nvidia;

import static io.github.volcanovgpu.bridge.testing.TestNodes.node;
import static io.github.volcanovgpu.bridge.testing.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;

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
import io.github.volcanovgpu.bridge.testing.TestNodes;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.contract.config.NvidiaDeviceConfig;
import io.github.volcanovgpu.contract.device.GpuMode;
import io.github.volcanovgpu.contract.device.RegisteredGpu;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * MIG through the scheduler core (predicate, allocate with its annotation writes, ledger), as Volcano's session
 * drives it: pods placed one after the other on a one-card A100 node in mig mode.
 */
class MigEngineScenarioTest {
  private final InMemoryCluster cluster = new InMemoryCluster();
  private final PlacementEngine engine;

  MigEngineScenarioTest() {
    NvidiaDeviceConfig c = DeviceConfig.parse(NvidiaMigSchedulingTest.DEVICE_CONFIG, "test").nvidia();
    NvidiaVendor vendor = new NvidiaVendor(c.resourceNames(), c.knownMigGeometries(), c.gpuMemoryFactor());
    engine = new PlacementEngine(vendor, cluster, cluster, NodeLock.DISABLED, EngineConfig.defaults(),
        Engines.FIXED);
    TestNodes n = node("n1");
    n.gpu(new RegisteredGpu("GPU-a", 0, 10, 40960, "NVIDIA-NVIDIA A100-PCIE-40GB", true, GpuMode.MIG));
    cluster.putNode(n.build());
  }

  private String place(PodView p) {
    cluster.putPod(p);
    PredicateResult r = engine.predicate(TaskView.of(p), NodeView.named("n1"));
    assertThat(r.code()).as(r.reason()).isZero();
    assertThat(engine.allocate(new TaskView(p.withNodeName("n1"), TaskStatus.ALLOCATED, "n1", Map.of())).isOk())
        .isTrue();
    return cluster.pod(p.uid()).orElseThrow().annotations().get(VgpuAnnotations.DEVICES_TO_ALLOCATE);
  }

  @Test
  void consecutivePodsFillTheAdoptedGroupThenTheCardIsFull() {
    assertThat(place(pod("a").gpu(1, 15000, 0).build())).isEqualTo("GPU-a[group3-0],NVIDIA,20480,0:");
    // group3 adopted: even a 1 GB pod takes the second 3g.20gb, not a 1g.5gb of group1
    assertThat(place(pod("b").gpu(1, 1000, 0).build())).isEqualTo("GPU-a[group3-1],NVIDIA,20480,0:");
    PodView c = pod("c").gpu(1, 1000, 0).build();
    cluster.putPod(c);
    PredicateResult full = engine.predicate(TaskView.of(c), NodeView.named("n1"));
    assertThat(full.code()).isEqualTo(PredicateResult.UNSCHEDULABLE);
    assertThat(full.reason()).contains("INSUFFICIENT_MEMORY");
  }

  @Test
  void freedGroupLetsTheNextPodChooseAgain() {
    PodView a = pod("a").gpu(1, 15000, 0).build();
    place(a);
    engine.deallocate(new TaskView(cluster.pod(a.uid()).orElseThrow(), TaskStatus.RELEASING, "n1", Map.of()));
    cluster.removePod(a.uid());
    assertThat(place(pod("b").gpu(1, 1000, 0).build())).isEqualTo("GPU-a[group1-0],NVIDIA,5120,0:");
  }
}
