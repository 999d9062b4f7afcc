package io.github.volcanovgpu.plugin.device;

import java.time.Instant;
import java.util.Objects;

/** Health of one GPU; states may return to {@link Healthy} (unlike the NVIDIA and HAMi plugins). */
public sealed interface DeviceHealth {
  DeviceHealth HEALTHY = new Healthy();

  boolean isHealthy();

  /** The card works. */
  record Healthy() implements DeviceHealth {
    @Override
    public boolean isHealthy() {
      return true;
    }
  }

  /** The card reported a critical error (XID, double-bit ECC...). */
  record Unhealthy(String reason, Instant since) implements DeviceHealth {
    public Unhealthy {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(since, "since");
    }

    @Override
    public boolean isHealthy() {
      return false;
    }
  }
}
