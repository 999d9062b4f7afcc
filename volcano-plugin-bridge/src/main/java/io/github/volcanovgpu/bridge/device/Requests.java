package io.github.volcanovgpu.bridge.device;

import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.Quantities;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Reading a container's device resources: whole, non-negative quantities, or an error naming what is wrong. */
public final class Requests {
  private Requests() {}

  /**
   * The quantity of {@code name} in {@code m} (a container's limits or requests), null when absent.
   *
   * @throws InvalidDemandException naming pod, container and resource when it is malformed, fractional or negative
   */
  public static @Nullable Long quantity(PodView pod, ContainerView c, Map<String, String> m, String name) {
    String raw = m.get(name);
    if (raw == null) {
      return null;
    }
    long v;
    try {
      v = Quantities.wholeValue(raw);
    } catch (IllegalArgumentException e) {
      throw invalid(pod, c, name, e.getMessage());
    }
    if (v < 0) {
      throw invalid(pod, c, name, "negative value " + raw);
    }
    return v;
  }

  /** The limit of {@code name}, else its request, else null. */
  public static @Nullable Long limitOrRequest(PodView pod, ContainerView c, String name) {
    Long v = quantity(pod, c, c.limits(), name);
    return v != null ? v : quantity(pod, c, c.requests(), name);
  }

  public static long orZero(@Nullable Long v) {
    return v == null ? 0 : v;
  }

  public static InvalidDemandException invalid(PodView pod, ContainerView c, String resource, String what) {
    return new InvalidDemandException(
        "pod " + pod.key() + " container " + c.name() + ": " + resource + ": " + what);
  }
}
