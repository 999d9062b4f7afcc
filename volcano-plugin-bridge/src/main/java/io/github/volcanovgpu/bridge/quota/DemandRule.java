package io.github.volcanovgpu.bridge.quota;

import io.github.volcanovgpu.bridge.device.ContainerDemand;
import io.github.volcanovgpu.bridge.device.DeviceVendor;
import io.github.volcanovgpu.bridge.device.InvalidDemandException;
import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.scheduling.DeviceKinds;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pod's demand per device kind for quotas: per dimension, the larger of the sum over its app containers and the
 * largest single init container (init containers run one at a time, before the app containers; HAMi v2.10's rule).
 * A memory percentage counts at the largest device of the kind the sidecar knows (what the pod may get), or 0 when
 * it knows none; a request a kind may round up (Ascend templates) counts rounded.
 */
public final class DemandRule {
  private DemandRule() {}

  /**
   * @param largestDeviceMemory kind name to the memory of its largest known device (absent: unknown)
   * @return kind name to totals, only kinds the pod asks, in kind order
   * @throws InvalidDemandException when a request cannot be read
   */
  public static Map<String, KindTotals> podDemand(
      DeviceKinds kinds, PodView pod, Map<String, Long> largestDeviceMemory) {
    Map<String, KindTotals> app = new LinkedHashMap<>();
    for (DeviceKinds.KindDemand d : kinds.demands(pod)) {
      DeviceVendor<?> vendor = kinds.all().get(d.kind());
      String kind = vendor.deviceName();
      app.put(kind, totals(vendor, pod, d.demand().containers(), largestDeviceMemory.getOrDefault(kind, 0L)));
    }
    Map<String, KindTotals> init = new LinkedHashMap<>();
    for (ContainerView c : pod.initContainers()) {
      for (DeviceKinds.KindDemand d : kinds.demands(pod.withContainers(List.of(c)))) {
        DeviceVendor<?> vendor = kinds.all().get(d.kind());
        String kind = vendor.deviceName();
        KindTotals t = totals(vendor, pod, d.demand().containers(), largestDeviceMemory.getOrDefault(kind, 0L));
        init.merge(kind, t, KindTotals::max);
      }
    }
    Map<String, KindTotals> out = new LinkedHashMap<>();
    for (var k : kinds.all()) {
      KindTotals a = app.get(k.deviceName());
      KindTotals i = init.get(k.deviceName());
      if (a != null || i != null) {
        out.put(k.deviceName(), (a == null ? KindTotals.ZERO : a).max(i == null ? KindTotals.ZERO : i));
      }
    }
    return out;
  }

  /**
   * The sum over containers of count, count x memory and count x cores; memory as the kind may hold it
   * ({@link DeviceVendor#heldMemoryUnits}: Ascend templates round up).
   */
  public static KindTotals totals(DeviceVendor<?> vendor, PodView pod, List<ContainerDemand> containers,
      long largestDeviceMemory) {
    long count = 0;
    long memory = 0;
    long cores = 0;
    for (ContainerDemand c : containers) {
      count += c.count();
      memory += (long) c.count() * vendor.heldMemoryUnits(pod, c, largestDeviceMemory);
      cores += (long) c.count() * c.coresPercent();
    }
    return new KindTotals(count, memory, cores);
  }
}
