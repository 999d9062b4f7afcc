package io.github.volcanovgpu.plugin.vendor.nvidia.gpu;

import io.github.volcanovgpu.plugin.device.DiscoveryException;
import io.github.volcanovgpu.plugin.device.HealthEvent;
import io.github.volcanovgpu.plugin.device.HealthMonitor;
import java.util.List;
import java.util.function.Consumer;

/**
 * NVIDIA's port to the hardware: NVML through JNA in production, a YAML-described fake in tests, the e2e suite and
 * the simulation (a fake MIG machine's cards too). {@link NvidiaBackend} runs unchanged on either.
 */
public interface GpuBackend extends HealthMonitor, AutoCloseable {
  /**
   * The GPUs of this node, in any order (callers sort by minor number).
   *
   * @throws DiscoveryException with a message naming what is missing (driver, library, permissions)
   */
  List<PhysicalGpu> discover();

  /**
   * What every card uses now (memory, utilisation, compute processes by host PID), for the node monitor; read per
   * call, never cached.
   *
   * @throws DiscoveryException when the driver cannot be asked
   */
  List<CardUsage> usage();

  /**
   * Starts delivering XID events to {@code listener} (from a backend thread) until {@link #close()}. Idempotent
   * per listener.
   */
  @Override
  void watchHealth(Consumer<HealthEvent> listener);

  @Override
  void close();
}
