package io.github.volcanovgpu.plugin.monitor;

import static io.github.volcanovgpu.plugin.monitor.Regions.GPU0;
import static io.github.volcanovgpu.plugin.monitor.Regions.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The exposition text a Prometheus scrape gets, through the same Micrometer registry the process serves. */
class MonitorMetricsTest {
  private static final ContainerCard ROW = new ContainerCard("ns", "a", "uid-a", "main", 0, GPU0, 300 * MIB,
      1024 * MIB, 35, 1_760_000_000L);
  private static final MonitorReading READING = new MonitorReading(new NodeUsage(List.of(ROW),
      List.of(new HostCard(0, GPU0, "NVIDIA-A100", 700 * MIB, 40)),
      List.of(new UsageFinding.ShareExceeded(ROW, 1100 * MIB, 1024 * MIB),
          new UsageFinding.UnexplainedProcess(GPU0, 5000, 64 * MIB)),
      2),
      List.of("x: bad"), true, false, Instant.ofEpochSecond(1_760_000_042L));

  private static String scrape(boolean legacy) {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    meters.getPrometheusRegistry().register(new MonitorMetrics(() -> READING, legacy));
    return meters.scrape();
  }

  @Test
  void hamiV29NamesAndLabelsArePerContainerAndCard() {
    String labels = "{container=\"main\",device_uuid=\"" + GPU0 + "\",namespace=\"ns\",pod=\"a\",vdevice_index=\"0\","
        + "zone=\"vGPU\"}";
    assertThat(scrape(false)).contains(
        "hami_vgpu_memory_used_bytes" + labels + " 3.145728E8",
        "hami_vgpu_memory_limit_bytes" + labels + " 1.073741824E9",
        "hami_container_device_utilization_ratio" + labels + " 35.0",
        "hami_container_last_kernel_elapsed_seconds" + labels + " 42.0",
        "hami_host_gpu_memory_used_bytes{device_index=\"0\",device_type=\"NVIDIA-A100\",device_uuid=\"" + GPU0
            + "\",zone=\"vGPU\"} 7.340032E8",
        "hami_host_gpu_utilization_ratio{device_index=\"0\",device_type=\"NVIDIA-A100\",device_uuid=\"" + GPU0
            + "\",zone=\"vGPU\"} 40.0");
  }

  @Test
  void findingsAndSourcesHaveTheirOwnSeries() {
    assertThat(scrape(false)).contains(
        "volcano_vgpu_monitor_share_exceeded_bytes{container=\"main\",device_uuid=\"" + GPU0
            + "\",namespace=\"ns\",pod=\"a\",vdevice_index=\"0\"} 7.9691776E7",
        "volcano_vgpu_monitor_unexplained_memory_bytes{device_uuid=\"" + GPU0 + "\",host_pid=\"5000\"} 6.7108864E7",
        "volcano_vgpu_monitor_regions{state=\"resolved\"} 1.0",
        "volcano_vgpu_monitor_regions{state=\"unresolved\"} 2.0",
        "volcano_vgpu_monitor_regions{state=\"unreadable\"} 1.0",
        "volcano_vgpu_monitor_source_up{source=\"kubelet\"} 1.0",
        "volcano_vgpu_monitor_source_up{source=\"driver\"} 0.0");
  }

  @Test
  void legacyNamesComeOnlyWithTheFlagAndBesideTheNewOnes() {
    assertThat(scrape(false)).doesNotContain("vGPU_device_memory_usage_in_bytes", "HostGPUMemoryUsage");
    String legacy = scrape(true);
    String labels = "{ctrname=\"main\",deviceuuid=\"" + GPU0 + "\",podname=\"a\",podnamespace=\"ns\",vdeviceid=\"0\","
        + "zone=\"vGPU\"}";
    assertThat(legacy).contains(
        "hami_vgpu_memory_used_bytes{",
        "vGPU_device_memory_usage_in_bytes" + labels + " 3.145728E8",
        "vGPU_device_memory_limit_in_bytes" + labels + " 1.073741824E9",
        "Device_utilization_desc_of_container" + labels + " 35.0",
        "Device_last_kernel_of_container" + labels + " 42.0",
        "HostGPUMemoryUsage{deviceidx=\"0\",devicetype=\"NVIDIA-A100\",deviceuuid=\"" + GPU0
            + "\",zone=\"vGPU\"} 7.340032E8",
        "HostCoreUtilization{deviceidx=\"0\",devicetype=\"NVIDIA-A100\",deviceuuid=\"" + GPU0
            + "\",zone=\"vGPU\"} 40.0");
  }
}
