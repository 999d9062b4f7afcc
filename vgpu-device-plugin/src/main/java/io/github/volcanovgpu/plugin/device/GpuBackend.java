package io.github.volcanovgpu.plugin.device;

import java.util.List;
import java.util.function.Consumer;

/**
 * The node half's view of the hardware: NVML through JNA in production, a YAML-described fake in tests, the e2e
 * suite and the simulation. The plugin runs unchanged on either.
 */
public interface GpuBackend extends AutoCloseable {
  /**
   * The GPUs of this node, in any order (callers sort by minor number).
   *
   * @throws DiscoveryException with a message naming what is missing (driver, library, permissions)
   */
  List<PhysicalGpu> discover();

  /**
   * Starts delivering health events to {@code listener} (from a backend thread) until {@link #close()}.
   * Idempotent per listener.
   */
  void watchHealth(Consumer<HealthEvent> listener);

  @Override
  void close();
}
