package io.github.volcanovgpu.plugin.monitor;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The monitor's series, computed from one fresh {@link MonitorReading} per scrape (as HAMi's vGPUmonitor collects):
 * HAMi v2.9's names and labels (reference hami-features.md 4.2), with {@code legacy} also the pre-2.9 names and
 * labels, plus this product's findings and health series under {@code volcano_vgpu_monitor_}. Registered on the
 * Prometheus registry behind the process's Micrometer registry, so one {@code /metrics} serves both.
 */
public final class MonitorMetrics implements MultiCollector {
  /** HAMi's constant label on its monitor's series. */
  static final String ZONE = "vGPU";

  private final Supplier<MonitorReading> reading;
  private final boolean legacy;

  public MonitorMetrics(Supplier<MonitorReading> reading, boolean legacy) {
    this.reading = reading;
    this.legacy = legacy;
  }

  @Override
  public MetricSnapshots collect() {
    MonitorReading r = reading.get();
    NodeUsage u = r.usage();
    long now = r.at().getEpochSecond();
    List<MetricSnapshot> out = new ArrayList<>();
    host(out, "hami_host_gpu_memory_used_bytes", "Device memory in use on the card (driver)", u.hosts(),
        HostCard::memoryUsedBytes, false);
    host(out, "hami_host_gpu_utilization_ratio", "Card utilisation, percent 0-100 (driver)", u.hosts(),
        HostCard::utilizationPercent, false);
    container(out, "hami_vgpu_memory_used_bytes", "Device memory the container uses on the card (libvgpu)",
        u.containers(), ContainerCard::memoryUsedBytes, false);
    container(out, "hami_vgpu_memory_limit_bytes", "The container's memory share of the card, 0 = none",
        u.containers(), ContainerCard::memoryLimitBytes, false);
    container(out, "hami_container_device_utilization_ratio", "SM share the container's processes use, percent",
        u.containers(), ContainerCard::utilizationPercent, false);
    List<ContainerCard> launched = u.containers().stream().filter(c -> c.lastKernelEpochSeconds() > 0).toList();
    container(out, "hami_container_last_kernel_elapsed_seconds", "Seconds since the container's last kernel launch",
        launched, c -> Math.max(0, now - c.lastKernelEpochSeconds()), false);
    if (legacy) {
      host(out, "HostGPUMemoryUsage", "GPU device memory usage", u.hosts(), HostCard::memoryUsedBytes, true);
      host(out, "HostCoreUtilization", "GPU core utilization", u.hosts(), HostCard::utilizationPercent, true);
      container(out, "vGPU_device_memory_usage_in_bytes", "vGPU device usage", u.containers(),
          ContainerCard::memoryUsedBytes, true);
      container(out, "vGPU_device_memory_limit_in_bytes", "vGPU device limit", u.containers(),
          ContainerCard::memoryLimitBytes, true);
      container(out, "Device_utilization_desc_of_container", "Container device utilization description",
          u.containers(), ContainerCard::utilizationPercent, true);
      container(out, "Device_last_kernel_of_container", "Container device last kernel description", launched,
          c -> Math.max(0, now - c.lastKernelEpochSeconds()), true);
    }
    findings(out, u.findings());
    GaugeSnapshot.Builder regions = GaugeSnapshot.builder().name("volcano_vgpu_monitor_regions")
        .help("Container regions read: resolved to a kubelet container, unresolved (pod gone or ambiguous), "
            + "unreadable");
    long resolved = u.containers().stream().map(c -> c.podUid() + "/" + c.container()).distinct().count();
    regions.dataPoint(point(Labels.of("state", "resolved"), resolved));
    regions.dataPoint(point(Labels.of("state", "unresolved"), u.unresolved()));
    regions.dataPoint(point(Labels.of("state", "unreadable"), r.unreadable().size()));
    out.add(regions.build());
    out.add(GaugeSnapshot.builder().name("volcano_vgpu_monitor_source_up")
        .help("Whether a source answered the last read (1) or not (0)")
        .dataPoint(point(Labels.of("source", "kubelet"), r.kubeletUp() ? 1 : 0))
        .dataPoint(point(Labels.of("source", "driver"), r.driverUp() ? 1 : 0)).build());
    return new MetricSnapshots(out);
  }

  private static void findings(List<MetricSnapshot> out, List<UsageFinding> findings) {
    GaugeSnapshot.Builder exceeded = GaugeSnapshot.builder().name("volcano_vgpu_monitor_share_exceeded_bytes")
        .help("Memory a container uses on a card beyond its share (larger of libvgpu's and the driver's count)");
    GaugeSnapshot.Builder unexplained = GaugeSnapshot.builder()
        .name("volcano_vgpu_monitor_unexplained_memory_bytes")
        .help("Memory of a process on a card that no container's share covers (driver)");
    for (UsageFinding f : findings) {
      if (f instanceof UsageFinding.ShareExceeded e) {
        exceeded.dataPoint(point(newLabels(e.card()), e.usedBytes() - e.limitBytes()));
      } else if (f instanceof UsageFinding.UnexplainedProcess p) {
        unexplained.dataPoint(point(Labels.of("device_uuid", p.deviceUuid(), "host_pid",
            Integer.toString(p.hostPid())), p.usedBytes()));
      }
    }
    out.add(exceeded.build());
    out.add(unexplained.build());
  }

  private static void host(List<MetricSnapshot> out, String name, String help, List<HostCard> rows,
      ToDoubleFunction<HostCard> value, boolean legacy) {
    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
    for (HostCard h : rows) {
      Labels labels = legacy
          ? Labels.of("deviceidx", Integer.toString(h.deviceIndex()), "deviceuuid", h.deviceUuid(), "devicetype",
              h.deviceType(), "zone", ZONE)
          : Labels.of("device_index", Integer.toString(h.deviceIndex()), "device_uuid", h.deviceUuid(),
              "device_type", h.deviceType(), "zone", ZONE);
      b.dataPoint(point(labels, value.applyAsDouble(h)));
    }
    out.add(b.build());
  }

  private static void container(List<MetricSnapshot> out, String name, String help, List<ContainerCard> rows,
      ToDoubleFunction<ContainerCard> value, boolean legacy) {
    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
    for (ContainerCard c : rows) {
      Labels labels = legacy
          ? Labels.of("podnamespace", c.namespace(), "podname", c.pod(), "ctrname", c.container(), "vdeviceid",
              Integer.toString(c.vdeviceIndex()), "deviceuuid", c.deviceUuid(), "zone", ZONE)
          : newLabels(c).merge(Labels.of("zone", ZONE));
      b.dataPoint(point(labels, value.applyAsDouble(c)));
    }
    out.add(b.build());
  }

  private static Labels newLabels(ContainerCard c) {
    return Labels.of("namespace", c.namespace(), "pod", c.pod(), "container", c.container(), "vdevice_index",
        Integer.toString(c.vdeviceIndex()), "device_uuid", c.deviceUuid());
  }

  private static GaugeSnapshot.GaugeDataPointSnapshot point(Labels labels, double value) {
    return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
  }
}
