package io.github.volcanovgpu.bridge.device;

/**
 * What one device-requesting container asks for (HAMi's {@code ContainerDeviceRequest}).
 *
 * @param containerName the container's name
 * @param count number of distinct physical devices
 * @param memoryUnits memory per device in the kind's units (0 when a percentage is used)
 * @param memoryPercent memory as % of each device, or {@link #PERCENT_NOT_GIVEN}
 * @param coresPercent % of compute per device
 * @param requestedCount the count as the pod wrote it, before a kind's packaging rule (Ascend 910C SuperPod turns a
 *     request of 1 into a module pair of 2)
 */
public record ContainerDemand(
    String containerName, int count, long memoryUnits, int memoryPercent, int coresPercent, int requestedCount) {
  /** Volcano's sentinel for "no percentage given". */
  public static final int PERCENT_NOT_GIVEN = 101;

  public ContainerDemand {
    if (count < 1) {
      throw new IllegalArgumentException("count must be >= 1, got " + count);
    }
    if (memoryUnits < 0 || coresPercent < 0 || memoryPercent < 0 || requestedCount < 1) {
      throw new IllegalArgumentException("negative demand");
    }
  }

  /** A demand whose count is as requested. */
  public ContainerDemand(String containerName, int count, long memoryUnits, int memoryPercent, int coresPercent) {
    this(containerName, count, memoryUnits, memoryPercent, coresPercent, count);
  }

  /** Memory needed on a card of {@code cardMemoryUnits}: floor(card x pct / 100) with a percentage, else absolute. */
  public long memoryOn(long cardMemoryUnits) {
    if (memoryPercent != PERCENT_NOT_GIVEN) {
      return cardMemoryUnits * memoryPercent / 100;
    }
    return memoryUnits;
  }
}
