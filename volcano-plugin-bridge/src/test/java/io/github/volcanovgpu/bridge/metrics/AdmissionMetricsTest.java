package io.github.volcanovgpu.bridge.metrics;

import static io.github.volcanovgpu.bridge.testing.TestNodes.node;
import static io.github.volcanovgpu.bridge.testing.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.quota.Quota;
import io.github.volcanovgpu.bridge.quota.QuotaSource;
import io.github.volcanovgpu.bridge.scheduling.DeviceKinds;
import io.github.volcanovgpu.bridge.scheduling.EngineConfig;
import io.github.volcanovgpu.bridge.scheduling.NodeLock;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.simulate.InMemoryCluster;
import io.github.volcanovgpu.bridge.testing.Engines;
import io.github.volcanovgpu.bridge.vendor.nvidia.NvidiaVendor;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The quota series HAMi's dashboards read, from the ledger. */
class AdmissionMetricsTest {
  @Test
  void quotaUsedAndLimitAreExportedPerLimitedDeviceResource() {
    InMemoryCluster cluster = new InMemoryCluster();
    cluster.putNode(node("n1").gpus(2, 16000).build());
    PlacementEngine engine = new PlacementEngine(DeviceKinds.of(NvidiaVendor.volcanoDefaults()), cluster, cluster,
        NodeLock.DISABLED, EngineConfig.defaults(), Engines.FIXED, QuotaSource.of(List.of(Quota.fromHard("team-a",
            "gpu", Map.of("limits.volcano.sh/vgpu-memory", "10000", "limits.volcano.sh/vgpu-cores", "100",
                "limits.cpu", "4")))));
    PodView p = cluster.submit(pod("a1").namespace("team-a").gpu(1, 6000, 30).build());
    engine.allocate(new TaskView(p.withNodeName("n1"), TaskStatus.ALLOCATED, "n1", Map.of()));
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AdmissionMetrics metrics = new AdmissionMetrics(engine, registry);

    metrics.refresh();
    metrics.recordReview("validate", "denied");
    String scrape = registry.scrape();

    assertThat(scrape)
        .contains(
            "hami_resource_quota_used{limit=\"10000\",namespace=\"team-a\",quota_name=\"volcano.sh/vgpu-memory\"} 6000.0")
        .contains(
            "hami_resource_quota_used{limit=\"100\",namespace=\"team-a\",quota_name=\"volcano.sh/vgpu-cores\"} 30.0")
        .contains("hami_resource_quota_limit{namespace=\"team-a\",quota_name=\"volcano.sh/vgpu-memory\"} 10000.0")
        .contains("volcano_vgpu_admission_reviews_total{outcome=\"denied\",webhook=\"validate\"} 1.0")
        .doesNotContain("quota_name=\"cpu\"");
  }
}
