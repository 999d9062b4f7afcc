package io.github.volcanovgpu.bridge.device;

import java.util.Locale;

/** Volcano's {@code deviceshare.SchedulePolicy}: the per-GPU walk order and the GPU score. */
public enum SchedulingPolicy {
  /** Fill the busiest card first; score = 100 x used memory / card memory. */
  BINPACK,
  /** Prefer the card with the fewest tasks; score 100 for an idle card. */
  SPREAD,
  /** Legacy order (descending index), score 0. */
  NONE;

  public static SchedulingPolicy parse(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "binpack" -> BINPACK;
      case "spread" -> SPREAD;
      case "", "none" -> NONE;
      default -> throw new IllegalArgumentException(
          "unknown scheduling policy \"" + value + "\" (expected binpack, spread or none)");
    };
  }
}
