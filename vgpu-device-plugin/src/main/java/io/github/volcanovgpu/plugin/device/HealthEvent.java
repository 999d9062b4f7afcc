package io.github.volcanovgpu.plugin.device;

import java.time.Instant;
import java.util.Objects;

/**
 * A raw health event from a backend: an NVIDIA XID (or ECC) error on a card, a fault another kind reports (an
 * Ascend DCMI alarm, a Vastai device gone), or the device reporting healthy again.
 *
 * @param uuid the device, or empty when the backend could not tell which device (all devices are affected)
 * @param xid the XID code, 0 for "recovered", {@link #FAULT} for a non-XID fault (always critical unless health
 *     checks are off)
 * @param description human-readable detail
 */
public record HealthEvent(String uuid, long xid, String description, Instant at) {
  /** The code of a fault that is not an NVIDIA XID. */
  public static final long FAULT = -1;

  public HealthEvent {
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(at, "at");
  }

  /** A fault of a kind without XIDs, e.g. {@code DCMI health 2 (major alarm)}. */
  public static HealthEvent fault(String uuid, String description, Instant at) {
    return new HealthEvent(uuid, FAULT, description, at);
  }

  /** The device works again. */
  public static HealthEvent recovered(String uuid, String description, Instant at) {
    return new HealthEvent(uuid, 0, description, at);
  }

  public boolean isRecovery() {
    return xid == 0;
  }

  /** A non-XID fault ({@link #fault}); XID ignore lists do not apply to it. */
  public boolean isFault() {
    return xid == FAULT;
  }
}
