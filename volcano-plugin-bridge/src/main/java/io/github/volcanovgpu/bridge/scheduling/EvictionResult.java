package io.github.volcanovgpu.bridge.scheduling;

import java.util.List;
import java.util.Objects;

/**
 * Answer to Volcano's preemptable / reclaimable: a vote and the victims (pod UIDs, a subset of the evictees).
 *
 * @param status {@link #PERMIT} (these victims, and no more, let the evictor fit), {@link #ABSTAIN} (GPUs are not
 *     the reason: the plugin is ignored) or {@link #REJECT} (no set of the evictees frees enough)
 * @param reason why, for logs and tests (not sent to Volcano)
 */
public record EvictionResult(int status, List<String> victimUids, String reason) {
  public static final int PERMIT = 1;
  public static final int ABSTAIN = 0;
  public static final int REJECT = -1;

  public EvictionResult {
    if (status < REJECT || status > PERMIT) {
      throw new IllegalArgumentException("status must be -1, 0 or 1, got " + status);
    }
    victimUids = List.copyOf(victimUids);
    Objects.requireNonNull(reason, "reason");
    if (status != PERMIT && !victimUids.isEmpty()) {
      throw new IllegalArgumentException("only a permit names victims");
    }
  }

  static EvictionResult permit(List<String> victims, String reason) {
    return new EvictionResult(PERMIT, victims, reason);
  }

  static EvictionResult abstain(String reason) {
    return new EvictionResult(ABSTAIN, List.of(), reason);
  }

  static EvictionResult reject(String reason) {
    return new EvictionResult(REJECT, List.of(), reason);
  }
}
