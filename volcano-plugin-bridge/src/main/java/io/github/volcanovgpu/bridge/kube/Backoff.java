package io.github.volcanovgpu.bridge.kube;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Exponential backoff as client-go's {@code wait.Backoff} without a cap: at most {@code steps} attempts; after the
 * n-th failed attempt (n from 1) wait {@code initial × factor^(n-1)}, plus up to {@code jitter} of that at random.
 */
record Backoff(Duration initial, double factor, double jitter, int steps) {
  /** HAMi v2.9's node-lock retry: 100 ms, factor 2, jitter 0.5, 5 steps (waits 100, 200, 400, 800 ms nominal). */
  static final Backoff NODE_LOCK = new Backoff(Duration.ofMillis(100), 2.0, 0.5, 5);

  Backoff {
    Objects.requireNonNull(initial, "initial");
    if (initial.isNegative()) {
      throw new IllegalArgumentException("initial must not be negative: " + initial);
    }
    if (factor < 1.0) {
      throw new IllegalArgumentException("factor must be at least 1: " + factor);
    }
    if (jitter < 0.0) {
      throw new IllegalArgumentException("jitter must not be negative: " + jitter);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be at least 1: " + steps);
    }
  }

  /**
   * The wait after failed attempt {@code attempt} (1 to steps - 1).
   *
   * @param random a value in [0, 1) scaling the jitter
   */
  Duration delayAfter(int attempt, double random) {
    if (attempt < 1 || attempt >= steps) {
      throw new IllegalArgumentException("attempt must be in 1.." + (steps - 1) + ": " + attempt);
    }
    if (random < 0.0 || random >= 1.0) {
      throw new IllegalArgumentException("random must be in [0, 1): " + random);
    }
    double nominalNanos = initial.toNanos() * Math.pow(factor, attempt - 1);
    return Duration.ofNanos(Math.round(nominalNanos * (1.0 + jitter * random)));
  }

  /** The waits without jitter, one fewer than the attempts. */
  List<Duration> nominalDelays() {
    List<Duration> delays = new ArrayList<>();
    for (int attempt = 1; attempt < steps; attempt++) {
      delays.add(delayAfter(attempt, 0.0));
    }
    return List.copyOf(delays);
  }
}
