package io.github.volcanovgpu.bridge.metrics;

import io.github.volcanovgpu.bridge.device.DeviceUsage;
import io.github.volcanovgpu.bridge.device.DeviceVendor;
import io.github.volcanovgpu.bridge.device.NodeUsage;
import io.github.volcanovgpu.bridge.device.PodShare;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The sidecar's metrics: per device kind family the {@code volcano_<family>_device_*} gauges — for NVIDIA exactly
 * Volcano's {@code volcano_vgpu_*} names and labels (reference volcano-vgpu.md §1.8); other families (Ascend
 * {@code vnpu}, {@code vastai}) the same names with a {@code deviceType} label naming the kind — refreshed from the
 * ledgers before each scrape, plus request latency per verb and transport, and the number of in-flight
 * reservations.
 */
public final class VgpuMetrics {
  private final PlacementEngine engine;
  private final MeterRegistry registry;
  /** Gauges per metrics family, in kind order. */
  private final Map<String, Family> families = new LinkedHashMap<>();
  private final Map<String, Timer> timers = new HashMap<>();

  /** The six device gauges of one family. */
  private record Family(boolean typed, MultiGauge sharedNumber, MultiGauge allocatedMemory,
      MultiGauge allocatedCores, MultiGauge memoryLimit, MultiGauge podMemory, MultiGauge podCores) {}

  /** Rows collected for one family during a refresh. */
  private record Rows(List<MultiGauge.Row<?>> shared, List<MultiGauge.Row<?>> mem, List<MultiGauge.Row<?>> cores,
      List<MultiGauge.Row<?>> limit, List<MultiGauge.Row<?>> podMem, List<MultiGauge.Row<?>> podCores) {
    static Rows empty() {
      return new Rows(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
          new ArrayList<>());
    }
  }

  public VgpuMetrics(PlacementEngine engine, MeterRegistry registry) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.registry = Objects.requireNonNull(registry, "registry");
    Map<String, Integer> kindsPerFamily = new HashMap<>();
    for (DeviceVendor<?> k : engine.kinds().all()) {
      kindsPerFamily.merge(k.metricFamily(), 1, Integer::sum);
    }
    for (DeviceVendor<?> k : engine.kinds().all()) {
      String f = k.metricFamily();
      if (!families.containsKey(f)) {
        boolean typed = !f.equals("vgpu") || kindsPerFamily.get(f) > 1;
        families.put(f, family(f, k.unit(), typed));
      }
    }
    Gauge.builder("volcano_vgpu_bridge_inflight_reservations", engine, PlacementEngine::reservations)
        .description("Assignments committed by this sidecar that the node views do not show yet")
        .register(registry);
  }

  private Family family(String f, String unit, boolean typed) {
    String p = "volcano_" + f + "_device_";
    if (f.equals("vgpu")) { // Volcano's own help texts
      return new Family(typed,
          gauge(p + "shared_number", "The number of vgpu tasks sharing this card"),
          gauge(p + "allocated_memory", "The number of vgpu memory allocated in this card"),
          gauge(p + "allocated_cores", "The percentage of gpu compute cores allocated in this card"),
          gauge(p + "memory_limit", "The number of total device memory in this card"),
          gauge(p + "memory_allocation_for_a_certain_pod", "The vgpu device memory allocated for a certain pod"),
          gauge(p + "core_allocation_for_a_certain_pod", "The vgpu device core allocated for a certain pod"));
    }
    return new Family(typed,
        gauge(p + "shared_number", "The number of tasks sharing this " + unit),
        gauge(p + "allocated_memory", "The memory allocated in this " + unit + " (MiB)"),
        gauge(p + "allocated_cores", "The percentage of compute allocated in this " + unit),
        gauge(p + "memory_limit", "The total memory of this " + unit + " (MiB)"),
        gauge(p + "memory_allocation_for_a_certain_pod", "The " + unit + " memory allocated for a certain pod"),
        gauge(p + "core_allocation_for_a_certain_pod", "The " + unit + " compute allocated for a certain pod"));
  }

  private MultiGauge gauge(String name, String description) {
    return MultiGauge.builder(name).description(description).register(registry);
  }

  /** Re-reads the ledgers into the device gauges; call before a scrape. */
  public void refresh() {
    Map<String, Rows> rows = new LinkedHashMap<>();
    families.keySet().forEach(f -> rows.put(f, Rows.empty()));
    for (DeviceVendor<?> kind : engine.kinds().all()) {
      Family family = families.get(kind.metricFamily());
      Rows r = rows.get(kind.metricFamily());
      for (NodeUsage<?> node : engine.usage(kind.deviceName()).values()) {
        for (DeviceUsage<?> g : node.devices()) {
          Tags tags = Tags.of("devID", g.device().uuid(), "NodeName", node.node());
          if (family.typed()) {
            tags = tags.and("deviceType", kind.deviceName());
          }
          r.shared().add(MultiGauge.Row.of(tags, g.usedShares()));
          r.mem().add(MultiGauge.Row.of(tags, g.usedMemoryUnits()));
          r.cores().add(MultiGauge.Row.of(tags, g.usedCoresPercent()));
          r.limit().add(MultiGauge.Row.of(tags, g.device().memoryUnits()));
          Map<String, long[]> perPod = new HashMap<>();
          for (PodShare s : g.pods()) {
            long[] acc = perPod.computeIfAbsent(s.podKey(), k -> new long[2]);
            acc[0] += s.memoryUnits();
            acc[1] += s.coresPercent();
          }
          Tags deviceTags = tags;
          perPod.forEach((pod, acc) -> {
            Tags podTags = deviceTags.and("podName", pod.substring(pod.indexOf('/') + 1));
            r.podMem().add(MultiGauge.Row.of(podTags, acc[0]));
            r.podCores().add(MultiGauge.Row.of(podTags, acc[1]));
          });
        }
      }
    }
    rows.forEach((f, r) -> {
      Family family = families.get(f);
      family.sharedNumber().register(r.shared(), true);
      family.allocatedMemory().register(r.mem(), true);
      family.allocatedCores().register(r.cores(), true);
      family.memoryLimit().register(r.limit(), true);
      family.podMemory().register(r.podMem(), true);
      family.podCores().register(r.podCores(), true);
    });
  }

  /** Records one request's latency ({@code verb}: predicate, prioritize...; {@code transport}: http or grpc). */
  public void recordRequest(String transport, String verb, Duration elapsed, boolean failed) {
    String key = transport + '/' + verb + '/' + failed;
    Timer timer;
    synchronized (timers) {
      timer = timers.computeIfAbsent(key, k -> Timer.builder("volcano_vgpu_bridge_request")
          .description("Latency of scheduling requests answered by the vGPU sidecar")
          .tags("transport", transport, "verb", verb, "outcome", failed ? "error" : "ok")
          .publishPercentileHistogram()
          .register(registry));
    }
    timer.record(elapsed);
  }
}
