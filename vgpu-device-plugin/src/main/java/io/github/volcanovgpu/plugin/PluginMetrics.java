package io.github.volcanovgpu.plugin;

import io.github.volcanovgpu.plugin.allocate.AllocationHandler;
import io.github.volcanovgpu.plugin.device.PluginResource;
import io.github.volcanovgpu.plugin.kubelet.PluginManager;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateResponse;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;

/**
 * A plugin start's meters: Allocate latency per resource and outcome, the devices advertised per resource, the
 * devices healthy, the re-registrations. The gauges are this instance's and are removed on close, so a plugin
 * restarted for a new configuration registers its own.
 */
final class PluginMetrics implements AutoCloseable {
  private final MeterRegistry meters;
  private final List<Meter> gauges = new ArrayList<>();

  PluginMetrics(MeterRegistry meters) {
    this.meters = meters;
  }

  /** The resources with their Allocate handlers timed, and a gauge of each one's devices. */
  List<PluginResource> timed(List<PluginResource> resources) {
    for (PluginResource r : resources) {
      gauges.add(Gauge.builder("volcano_vgpu_plugin_registered_devices", r.devices()::size)
          .description("Device IDs advertised to the kubelet").tag("resource", r.resourceName()).register(meters));
    }
    return resources.stream().map(r -> r.withHandler(timed(r.handler()))).toList();
  }

  /** Gauges of the manager's healthy devices and re-registrations. */
  void watch(PluginManager manager) {
    gauges.add(Gauge.builder("volcano_vgpu_plugin_healthy_gpus", () -> manager.health().values().stream()
        .filter(h -> h.isHealthy()).count()).description("Devices currently healthy").register(meters));
    gauges.add(Gauge.builder("volcano_vgpu_plugin_registrations_restarts", manager::restarts)
        .description("Re-registrations after a kubelet restart or a lost socket").register(meters));
  }

  @Override
  public void close() {
    gauges.forEach(meters::remove);
  }

  /** Allocate latency and failures per resource; everything else goes straight to {@code inner}. */
  private AllocationHandler timed(AllocationHandler inner) {
    return new AllocationHandler() {
      @Override
      public AllocateResponse allocate(String resource, AllocateRequest request) {
        Timer.Sample sample = Timer.start(meters);
        String outcome = "error";
        try {
          var response = inner.allocate(resource, request);
          outcome = "ok";
          return response;
        } finally {
          sample.stop(Timer.builder("volcano_vgpu_plugin_allocate").tag("resource", resource)
              .tag("outcome", outcome).publishPercentileHistogram().register(meters));
        }
      }

      @Override
      public List<String> expectedCards(String resourceName, int size) {
        return inner.expectedCards(resourceName, size);
      }
    };
  }
}
