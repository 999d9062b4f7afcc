package io.github.volcanovgpu.plugin.device;

import java.util.function.Consumer;

/**
 * Where a device kind's health events come from: NVML XID events, DCMI health polling, a fake's injected faults.
 * Thread-safe.
 */
@FunctionalInterface
public interface HealthMonitor {
  /** A kind whose devices never report faults. */
  HealthMonitor NONE = listener -> {};

  /**
   * Starts delivering events to {@code listener} (from a monitor thread, or the caller's for fakes) until the
   * backend is closed. Idempotent per listener.
   */
  void watchHealth(Consumer<HealthEvent> listener);
}
