package io.github.volcanovgpu.bridge.scheduling;

import java.util.Map;
import java.util.Objects;

/** Answer to prioritize: a score per node name (never null) and an error message (empty on success). */
public record PrioritizeResult(Map<String, Double> nodeScores, String errorMessage) {
  public PrioritizeResult {
    nodeScores = Map.copyOf(nodeScores);
    Objects.requireNonNull(errorMessage, "errorMessage");
  }

  public static PrioritizeResult of(Map<String, Double> scores) {
    return new PrioritizeResult(scores, "");
  }
}
