package io.github.volcanovgpu.bridge.device;

/**
 * What one GPU-requesting container asks for.
 *
 * @param containerName the container's name
 * @param count number of distinct physical GPUs
 * @param memoryUnits memory per GPU in gpuMemoryFactor MiB units (0 when a percentage is used)
 * @param memoryPercent memory as % of each card, or {@link #PERCENT_NOT_GIVEN}
 * @param coresPercent % of SMs per GPU
 */
public record ContainerDemand(
    String containerName, int count, long memoryUnits, int memoryPercent, int coresPercent) {
  /** Volcano's sentinel for "no percentage given". */
  public static final int PERCENT_NOT_GIVEN = 101;

  public ContainerDemand {
    if (count < 1) {
      throw new IllegalArgumentException("count must be >= 1, got " + count);
    }
    if (memoryUnits < 0 || coresPercent < 0 || memoryPercent < 0) {
      throw new IllegalArgumentException("negative demand");
    }
  }

  /** Memory needed on a card of {@code cardMemoryUnits}: floor(card x pct / 100) with a percentage, else absolute. */
  public long memoryOn(long cardMemoryUnits) {
    if (memoryPercent != PERCENT_NOT_GIVEN) {
      return cardMemoryUnits * memoryPercent / 100;
    }
    return memoryUnits;
  }
}
