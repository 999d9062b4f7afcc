package io.github.volcanovgpu.bridge.metrics;

import io.github.volcanovgpu.bridge.ledger.GpuUsage;
import io.github.volcanovgpu.bridge.ledger.NodeUsage;
import io.github.volcanovgpu.bridge.ledger.PodShare;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The sidecar's metrics: Volcano's {@code volcano_vgpu_*} device gauges (same names and labels as Volcano's
 * scheduler, reference volcano-vgpu.md §1.8), refreshed from the ledger before each scrape, plus request latency
 * per verb and transport, and the number of in-flight reservations.
 */
public final class VgpuMetrics {
  private final PlacementEngine engine;
  private final MeterRegistry registry;
  private final MultiGauge sharedNumber;
  private final MultiGauge allocatedMemory;
  private final MultiGauge allocatedCores;
  private final MultiGauge memoryLimit;
  private final MultiGauge podMemory;
  private final MultiGauge podCores;
  private final Map<String, Timer> timers = new HashMap<>();

  public VgpuMetrics(PlacementEngine engine, MeterRegistry registry) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.registry = Objects.requireNonNull(registry, "registry");
    sharedNumber = MultiGauge.builder("volcano_vgpu_device_shared_number")
        .description("The number of vgpu tasks sharing this card").register(registry);
    allocatedMemory = MultiGauge.builder("volcano_vgpu_device_allocated_memory")
        .description("The number of vgpu memory allocated in this card").register(registry);
    allocatedCores = MultiGauge.builder("volcano_vgpu_device_allocated_cores")
        .description("The percentage of gpu compute cores allocated in this card").register(registry);
    memoryLimit = MultiGauge.builder("volcano_vgpu_device_memory_limit")
        .description("The number of total device memory in this card").register(registry);
    podMemory = MultiGauge.builder("volcano_vgpu_device_memory_allocation_for_a_certain_pod")
        .description("The vgpu device memory allocated for a certain pod").register(registry);
    podCores = MultiGauge.builder("volcano_vgpu_device_core_allocation_for_a_certain_pod")
        .description("The vgpu device core allocated for a certain pod").register(registry);
    Gauge.builder("volcano_vgpu_bridge_inflight_reservations", engine, PlacementEngine::reservations)
        .description("Assignments committed by this sidecar that the node views do not show yet")
        .register(registry);
  }

  /** Re-reads the ledger into the device gauges; call before a scrape. */
  public void refresh() {
    List<MultiGauge.Row<?>> shared = new ArrayList<>();
    List<MultiGauge.Row<?>> mem = new ArrayList<>();
    List<MultiGauge.Row<?>> cores = new ArrayList<>();
    List<MultiGauge.Row<?>> limit = new ArrayList<>();
    List<MultiGauge.Row<?>> pMem = new ArrayList<>();
    List<MultiGauge.Row<?>> pCores = new ArrayList<>();
    for (NodeUsage node : engine.usage().values()) {
      for (GpuUsage g : node.gpus()) {
        Tags tags = Tags.of("devID", g.gpu().uuid(), "NodeName", node.node());
        shared.add(MultiGauge.Row.of(tags, g.usedShares()));
        mem.add(MultiGauge.Row.of(tags, g.usedMemoryUnits()));
        cores.add(MultiGauge.Row.of(tags, g.usedCoresPercent()));
        limit.add(MultiGauge.Row.of(tags, g.gpu().memoryUnits()));
        Map<String, long[]> perPod = new HashMap<>();
        for (PodShare s : g.pods()) {
          long[] acc = perPod.computeIfAbsent(s.podKey(), k -> new long[2]);
          acc[0] += s.memoryUnits();
          acc[1] += s.coresPercent();
        }
        perPod.forEach((pod, acc) -> {
          Tags podTags = tags.and("podName", pod.substring(pod.indexOf('/') + 1));
          pMem.add(MultiGauge.Row.of(podTags, acc[0]));
          pCores.add(MultiGauge.Row.of(podTags, acc[1]));
        });
      }
    }
    sharedNumber.register(shared, true);
    allocatedMemory.register(mem, true);
    allocatedCores.register(cores, true);
    memoryLimit.register(limit, true);
    podMemory.register(pMem, true);
    podCores.register(pCores, true);
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
