package io.github.volcanovgpu.plugin.device;

import java.time.Instant;
import java.util.Objects;

/**
 * A raw health event from a backend: an XID (or ECC) error on a card, or the card reporting healthy again.
 *
 * @param uuid the card, or empty when the backend could not tell which card (all cards are affected)
 * @param xid the XID code, 0 for "recovered"
 * @param description human-readable detail
 */
public record HealthEvent(String uuid, long xid, String description, Instant at) {
  public HealthEvent {
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(at, "at");
  }

  public boolean isRecovery() {
    return xid == 0;
  }
}
