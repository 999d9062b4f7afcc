package io.github.volcanovgpu.bridge.quota;

/**
 * What a pod asks, or a namespace holds, of one device kind, summed over its devices: devices, memory in the kind's
 * units (count x per-device memory) and compute in percent of a device (count x per-device percent).
 */
public record KindTotals(long count, long memoryUnits, long coresPercent) {
  public static final KindTotals ZERO = new KindTotals(0, 0, 0);

  public KindTotals {
    if (count < 0 || memoryUnits < 0 || coresPercent < 0) {
      throw new IllegalArgumentException("negative totals: " + count + ", " + memoryUnits + ", " + coresPercent);
    }
  }

  public KindTotals plus(KindTotals o) {
    return new KindTotals(count + o.count, memoryUnits + o.memoryUnits, coresPercent + o.coresPercent);
  }

  /** The larger of each dimension. */
  public KindTotals max(KindTotals o) {
    return new KindTotals(Math.max(count, o.count), Math.max(memoryUnits, o.memoryUnits),
        Math.max(coresPercent, o.coresPercent));
  }

  public long of(Dimension d) {
    return switch (d) {
      case COUNT -> count;
      case MEMORY -> memoryUnits;
      case CORES -> coresPercent;
    };
  }

  /** The three quota-able dimensions of a kind's request. */
  public enum Dimension { COUNT, MEMORY, CORES }
}
