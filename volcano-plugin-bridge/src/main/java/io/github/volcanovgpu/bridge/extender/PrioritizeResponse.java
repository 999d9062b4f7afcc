package io.github.volcanovgpu.bridge.extender;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Volcano's {@code PrioritizeResponse}: {@code {"nodeScore": {"<node>": <float>}, "errorMessage": ""}}.
 *
 * @param nodeScore the scores in the order given (written in that order); null when the body had no (or a null)
 *     {@code nodeScore}: Volcano treats that as an error. Scores are finite: Go's decoder cannot read NaN or
 *     infinities.
 */
public record PrioritizeResponse(@Nullable Map<String, Double> nodeScore, String errorMessage) {
  public PrioritizeResponse {
    if (nodeScore != null) {
      nodeScore.forEach((node, score) -> {
        if (!Double.isFinite(Objects.requireNonNull(score, node))) {
          throw new IllegalArgumentException("score of node " + node + " is " + score + ": not a JSON number");
        }
      });
      nodeScore = Collections.unmodifiableMap(new LinkedHashMap<>(nodeScore));
    }
    Objects.requireNonNull(errorMessage, "errorMessage");
  }

  /** True when Volcano would use the scores (empty error message and a non-null map). */
  public boolean usable() {
    return errorMessage.isEmpty() && nodeScore != null;
  }
}
