package io.github.volcanovgpu.plugin.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.plugin.allocate.AllocationHandler;
import io.github.volcanovgpu.plugin.device.AdvertisedDevice;
import io.github.volcanovgpu.plugin.device.HealthEvent;
import io.github.volcanovgpu.plugin.device.PluginResource;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.PhysicalGpu;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PluginResourceTest {
  private static final AllocationHandler NOOP = (name, req) -> AllocateResponse.getDefaultInstance();

  @Test
  void socketNameIsNvidiaDashThePartAfterTheSlash() {
    assertThat(new PluginResource("volcano.sh/vgpu-number", List.of(), NOOP).socketName())
        .isEqualTo("nvidia-vgpu-number.sock");
    assertThat(new PluginResource("volcano.sh/vgpu-memory", List.of(), NOOP).socketName())
        .isEqualTo("nvidia-vgpu-memory.sock");
  }

  @Test
  void invalidResourcesAreRejectedByName() {
    assertThatThrownBy(() -> new PluginResource("vgpu", List.of(), NOOP)).hasMessageContaining("\"vgpu\"");
    assertThatThrownBy(() -> new PluginResource("a/b/c", List.of(), NOOP)).hasMessageContaining("<domain>/<name>");
    AdvertisedDevice d = new AdvertisedDevice("GPU-a-0", "GPU-a", -1);
    assertThatThrownBy(() -> new PluginResource("x.io/y", List.of(d, d), NOOP)).hasMessageContaining("GPU-a-0");
    assertThatThrownBy(() -> new AdvertisedDevice("x".repeat(64), "GPU-a", -1)).hasMessageContaining("63");
  }

  @Test
  void disabledHealthChecksIgnoreEveryEventAndUnknownCardsAreIgnored() {
    PhysicalGpu gpu = new PhysicalGpu("GPU-a", 0, "NVIDIA T4", 1, -1, false);
    HealthState off = new HealthState(List.of(gpu),
        HealthPolicy.fromEnvironment(Map.of(HealthPolicy.DISABLE_ENV, "all")));
    off.apply(new HealthEvent("GPU-a", 79, "x", Instant.EPOCH));
    assertThat(off.isHealthy("GPU-a")).isTrue();
    HealthState on = new HealthState(List.of(gpu), HealthPolicy.defaults());
    on.apply(new HealthEvent("GPU-zz", 79, "x", Instant.EPOCH));
    assertThat(on.snapshot()).containsOnlyKeys("GPU-a");
    assertThat(on.isHealthy("GPU-a")).isTrue();
  }
}
