package io.github.volcanovgpu.bridge.metrics;

import static io.github.volcanovgpu.bridge.testing.TestNodes.node;
import static io.github.volcanovgpu.bridge.testing.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.simulate.InMemoryCluster;
import io.github.volcanovgpu.bridge.testing.Engines;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VgpuMetricsTest {
  @Test
  void exposesVolcanosDeviceGaugesWithTheirLabels() {
    InMemoryCluster cluster = new InMemoryCluster();
    cluster.putNode(node("n1").gpus(1, 16384).build());
    PlacementEngine engine = Engines.over(cluster, SchedulingPolicy.BINPACK);
    PodView p = pod("train").gpu(1, 4096, 30).build();
    cluster.putPod(p);
    engine.allocate(new TaskView(p, TaskStatus.ALLOCATED, "n1", Map.of()));

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VgpuMetrics metrics = new VgpuMetrics(engine, registry);
    metrics.refresh();
    metrics.recordRequest("http", "predicate", Duration.ofMillis(3), false);
    String text = registry.scrape();

    assertThat(text)
        .contains("volcano_vgpu_device_allocated_memory{NodeName=\"n1\",devID=\"GPU-n1-0\"} 4096")
        .contains("volcano_vgpu_device_allocated_cores{NodeName=\"n1\",devID=\"GPU-n1-0\"} 30")
        .contains("volcano_vgpu_device_shared_number{NodeName=\"n1\",devID=\"GPU-n1-0\"} 1")
        .contains("volcano_vgpu_device_memory_limit{NodeName=\"n1\",devID=\"GPU-n1-0\"} 16384")
        .contains("volcano_vgpu_device_memory_allocation_for_a_certain_pod{NodeName=\"n1\",devID=\"GPU-n1-0\","
            + "podName=\"train\"} 4096")
        .contains("volcano_vgpu_bridge_request_seconds_bucket{outcome=\"ok\",transport=\"http\",verb=\"predicate\"");
  }

  @Test
  void otherKindsExportTheSameGaugesUnderTheirFamilyWithTheirType() {
    InMemoryCluster cluster = new InMemoryCluster();
    cluster.putNode(io.github.volcanovgpu.bridge.testing.HamiNodes.ascend("a1", "Ascend910B3").npus(1)
        .hamiCore(true).build());
    cluster.putNode(io.github.volcanovgpu.bridge.testing.HamiNodes.vastai("v1").cards(1).build());
    PlacementEngine engine = new PlacementEngine(
        io.github.volcanovgpu.bridge.vendor.VendorCatalog.kinds(
            io.github.volcanovgpu.contract.config.DeviceConfig.defaults()),
        cluster, cluster, io.github.volcanovgpu.bridge.scheduling.NodeLock.DISABLED,
        io.github.volcanovgpu.bridge.scheduling.EngineConfig.defaults(), Engines.FIXED);
    PodView p = pod("infer").npu("Ascend910B3", 1, 8192, 25).build();
    cluster.putPod(p);
    assertThat(engine.allocate(new TaskView(p, TaskStatus.ALLOCATED, "a1", Map.of())).isOk()).isTrue();

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VgpuMetrics metrics = new VgpuMetrics(engine, registry);
    metrics.refresh();
    String text = registry.scrape();

    assertThat(text)
        .contains("volcano_vnpu_device_allocated_memory{NodeName=\"a1\",devID=\"a1-npu-0\",deviceType=\"Ascend910B3\"} "
            + "8192")
        .contains(
            "volcano_vnpu_device_allocated_cores{NodeName=\"a1\",devID=\"a1-npu-0\",deviceType=\"Ascend910B3\"} 25")
        .contains("volcano_vastai_device_shared_number{NodeName=\"v1\",devID=\"v1-va0\",deviceType=\"Vastai\"} 0")
        .doesNotContain("volcano_vgpu_device_shared_number{NodeName=\"a1\"");
  }
}
