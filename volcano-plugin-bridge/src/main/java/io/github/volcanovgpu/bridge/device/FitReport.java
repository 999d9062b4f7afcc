package io.github.volcanovgpu.bridge.device;

import java.util.EnumMap;
import java.util.Map;

/**
 * Counts why a node's devices refused one container and renders the reason every kind gives:
 * {@code node n1: container c0 needs 2 NPUs, not enough fit (3/8 INSUFFICIENT_MEMORY: not enough free memory, ...)}.
 * Codes appear in their enum's (check) order. Mutable, confined to one fit.
 */
public final class FitReport<F extends Enum<F> & FitFailure> {
  private final Class<F> type;
  private EnumMap<F, Integer> counts;

  public FitReport(Class<F> type) {
    this.type = type;
  }

  public void add(F failure) {
    if (counts == null) {
      counts = new EnumMap<>(type);
    }
    counts.merge(failure, 1, Integer::sum);
  }

  /**
   * @param unit the device noun, singular ({@code GPU}, {@code NPU}, {@code device})
   * @param devices how many devices the node has of this kind
   */
  public FitResult.DoesNotFit doesNotFit(String node, String container, int needed, String unit, int devices) {
    StringBuilder sb = new StringBuilder(96);
    sb.append("node ").append(node).append(": container ").append(container).append(" needs ").append(needed)
        .append(' ').append(unit).append(needed == 1 ? "" : "s").append(", not enough fit");
    boolean resolvable = false;
    if (counts != null) {
      sb.append(" (");
      boolean first = true;
      for (Map.Entry<F, Integer> e : counts.entrySet()) {
        if (!first) {
          sb.append(", ");
        }
        first = false;
        sb.append(e.getValue()).append('/').append(devices).append(' ').append(e.getKey().name()).append(": ")
            .append(e.getKey().description());
        resolvable |= e.getKey().isResolvable();
      }
      sb.append(')');
    }
    return new FitResult.DoesNotFit(sb.toString(), resolvable);
  }
}
