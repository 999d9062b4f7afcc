package io.github.volcanovgpu.bridge.device;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Records which devices refused one container and why, and renders the reason every kind gives:
 * {@code node n1: container c0 needs 2 NPUs, not enough fit (3/8 INSUFFICIENT_MEMORY: not enough free memory, ...)}.
 * Codes appear in their enum's (check) order. The message and the structured {@link DeviceRefusal}s come from the
 * same records. Mutable, confined to one fit.
 */
public final class FitReport<F extends Enum<F> & FitFailure> {
  private final Class<F> type;
  private List<DeviceRefusal> refusals;

  public FitReport(Class<F> type) {
    this.type = type;
  }

  /** Device {@code index} (its position in the node's registration) refused the container for {@code failure}. */
  public void add(int index, F failure) {
    if (refusals == null) {
      refusals = new ArrayList<>(8);
    }
    refusals.add(new DeviceRefusal(index, failure));
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
    if (refusals != null) {
      EnumMap<F, Integer> counts = new EnumMap<>(type);
      for (DeviceRefusal r : refusals) {
        counts.merge(type.cast(r.failure()), 1, Integer::sum);
      }
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
    return new FitResult.DoesNotFit(sb.toString(), resolvable, RefusalCause.DEVICES_REFUSED, container,
        refusals == null ? List.of() : refusals);
  }
}
