package io.github.volcanovgpu.bridge.scheduling;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the scheduling core.
 *
 * @param policy per-GPU walk order and GPU score ({@code deviceshare.SchedulePolicy})
 * @param scoreWeight multiplier of the node's device score returned by prioritize ({@code ScheduleWeight});
 *     0 turns device scoring off
 * @param reservationTtl how long an in-flight reservation counts when no node view confirms it
 */
public record EngineConfig(SchedulingPolicy policy, double scoreWeight, Duration reservationTtl) {
  public EngineConfig {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(reservationTtl, "reservationTtl");
    if (!(scoreWeight >= 0) || Double.isInfinite(scoreWeight)) {
      throw new IllegalArgumentException("scoreWeight must be a finite number >= 0, got " + scoreWeight);
    }
    if (reservationTtl.isNegative() || reservationTtl.isZero()) {
      throw new IllegalArgumentException("reservationTtl must be positive, got " + reservationTtl);
    }
  }

  /** binpack, weight 1, reservations kept 5 minutes (the node-lock expiry). */
  public static EngineConfig defaults() {
    return new EngineConfig(SchedulingPolicy.BINPACK, 1.0, Duration.ofMinutes(5));
  }

  public EngineConfig withPolicy(SchedulingPolicy newPolicy) {
    return new EngineConfig(newPolicy, scoreWeight, reservationTtl);
  }
}
