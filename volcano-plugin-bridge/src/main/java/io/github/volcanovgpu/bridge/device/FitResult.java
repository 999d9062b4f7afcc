package io.github.volcanovgpu.bridge.device;

import io.github.volcanovgpu.contract.device.PodDevices;
import java.util.List;
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
   * The pod does not fit. The message and the structured reason are made together by the code that decided, so
   * Volcano's predicate message and {@code explain} never disagree.
   *
   * @param reason human-readable, names the node and the per-device reasons (the predicate's message)
   * @param resolvable true when evicting pods could make it fit (Volcano code 2), false otherwise (code 3)
   * @param cause the node-level cause
   * @param container the container that did not fit, empty when the cause is not about one
   * @param devices the devices that refused the container, each with its code (for {@code DEVICES_REFUSED})
   */
  record DoesNotFit(String reason, boolean resolvable, RefusalCause cause, String container,
      List<DeviceRefusal> devices) implements FitResult {
    public DoesNotFit {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(cause, "cause");
      Objects.requireNonNull(container, "container");
      devices = List.copyOf(devices);
    }

    /** A node-level refusal: resolvable as the cause says. */
    public DoesNotFit(RefusalCause cause, String reason) {
      this(reason, cause.isResolvable(), cause, "", List.of());
    }

    /** A node-level refusal about one container. */
    public DoesNotFit(RefusalCause cause, String container, String reason) {
      this(reason, cause.isResolvable(), cause, container, List.of());
    }
  }
}
