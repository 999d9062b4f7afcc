package io.github.volcanovgpu.plugin.monitor;

import io.github.volcanovgpu.plugin.device.DiscoveryException;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.CardUsage;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.GpuBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.PhysicalGpu;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the node: the regions, the kubelet's containers, the driver's cards, composed by {@link NodeUsage#compose}.
 * A source that fails degrades the reading (and is logged once per change) instead of failing it: a scrape always
 * answers. Reads are serialised.
 */
public final class NodeMonitor {
  private static final Logger LOG = LoggerFactory.getLogger(NodeMonitor.class);

  private final RegionDirectory regions;
  private final PodResourcesSource kubelet;
  private final GpuBackend gpus;
  private final Clock clock;
  private List<PhysicalGpu> cards = List.of();
  private String lastKubeletError = "";
  private String lastDriverError = "";

  public NodeMonitor(RegionDirectory regions, PodResourcesSource kubelet, GpuBackend gpus, Clock clock) {
    this.regions = Objects.requireNonNull(regions, "regions");
    this.kubelet = Objects.requireNonNull(kubelet, "kubelet");
    this.gpus = Objects.requireNonNull(gpus, "gpus");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public synchronized MonitorReading read() {
    RegionDirectory.Scan scan = regions.scan();
    List<PodContainer> containers = List.of();
    boolean kubeletUp = true;
    try {
      containers = kubelet.list();
      if (!lastKubeletError.isEmpty()) {
        LOG.info("the kubelet's pod-resources API answers again");
      }
      lastKubeletError = "";
    } catch (PodResourcesSource.PodResourcesException e) {
      kubeletUp = false;
      if (!e.getMessage().equals(lastKubeletError)) {
        LOG.warn("{}; containers are not resolved until it answers", e.getMessage());
      }
      lastKubeletError = e.getMessage();
    }
    List<CardUsage> usage = List.of();
    boolean driverUp = true;
    try {
      if (cards.isEmpty()) {
        cards = List.copyOf(gpus.discover());
      }
      usage = gpus.usage();
      lastDriverError = "";
    } catch (DiscoveryException e) {
      driverUp = false;
      if (!String.valueOf(e.getMessage()).equals(lastDriverError)) {
        LOG.warn("cannot read the cards' usage: {}", e.getMessage());
      }
      lastDriverError = String.valueOf(e.getMessage());
    }
    return new MonitorReading(NodeUsage.compose(scan.regions(), containers, cards, usage), scan.problems(),
        kubeletUp, driverUp, clock.instant());
  }
}
