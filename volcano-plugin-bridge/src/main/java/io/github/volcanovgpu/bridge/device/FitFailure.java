package io.github.volcanovgpu.bridge.device;

/**
 * A stable reason code for a device that cannot take a container, rendered HAMi-style
 * ({@code 3/8 INSUFFICIENT_MEMORY: not enough free memory}). Each kind has an enum of its own, in its check order.
 */
public interface FitFailure {
  /** The code, e.g. {@code INSUFFICIENT_MEMORY}. */
  String name();

  /** What the code means, for users; may name the annotation that caused it. */
  String description();

  /** True when evicting pods could ever make the device fit (Volcano code 2 vs 3). */
  boolean isResolvable();
}
