package io.github.volcanovgpu.bridge.device;

import io.github.volcanovgpu.contract.device.PodDevices;
import java.util.Objects;

/** Outcome of fitting a pod on one node. Not fitting is not an error. */
public sealed interface FitResult {
  /** The pod fits with these devices; {@code score} is the node's device score (higher is preferred). */
  record Fits(PodDevices devices, double score) implements FitResult {
    public Fits {
      Objects.requireNonNull(devices, "devices");
      if (Double.isNaN(score) || Double.isInfinite(score)) {
        throw new IllegalArgumentException("score must be finite, got " + score);
      }
    }
  }

  /**
   * The pod does not fit.
   *
   * @param reason human-readable, names the node and the per-card reasons
   * @param resolvable true when evicting pods could make it fit (Volcano code 2), false otherwise (code 3)
   */
  record DoesNotFit(String reason, boolean resolvable) implements FitResult {
    public DoesNotFit {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
