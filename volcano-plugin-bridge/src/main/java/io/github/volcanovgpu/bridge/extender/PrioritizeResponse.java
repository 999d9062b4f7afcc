package io.github.volcanovgpu.bridge.extender;

import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Volcano's {@code PrioritizeResponse}: {@code {"nodeScore": {"<node>": <float>}, "errorMessage": ""}}.
 *
 * @param nodeScore null when the body had no (or a null) {@code nodeScore}: Volcano treats that as an error
 */
public record PrioritizeResponse(@Nullable Map<String, Double> nodeScore, String errorMessage) {
  public PrioritizeResponse {
    nodeScore = nodeScore == null ? null : Map.copyOf(nodeScore);
    Objects.requireNonNull(errorMessage, "errorMessage");
  }

  /** True when Volcano would use the scores (empty error message and a non-null map). */
  public boolean usable() {
    return errorMessage.isEmpty() && nodeScore != null;
  }
}
