package io.github.volcanovgpu.plugin.vendor.nvidia.gpu;

import java.util.List;
import java.util.Objects;

/**
 * What one card is using now, as the driver sees it (NVML, or a fake machine).
 *
 * @param uuid the card
 * @param memoryUsedBytes device memory in use on the card, by anyone
 * @param utilizationPercent 0..100, the share of the last sample period a kernel ran
 * @param processes the compute processes on the card, host PIDs; empty when the backend cannot list them
 */
public record CardUsage(String uuid, long memoryUsedBytes, int utilizationPercent, List<ProcessUsage> processes) {
  public CardUsage {
    Objects.requireNonNull(uuid, "uuid");
    processes = List.copyOf(processes);
    if (memoryUsedBytes < 0) {
      throw new IllegalArgumentException("memoryUsedBytes must be >= 0, got " + memoryUsedBytes);
    }
    if (utilizationPercent < 0 || utilizationPercent > 100) {
      throw new IllegalArgumentException("utilizationPercent must be 0..100, got " + utilizationPercent);
    }
  }

  /** An idle card. */
  public static CardUsage idle(String uuid) {
    return new CardUsage(uuid, 0, 0, List.of());
  }

  /**
   * One compute process on a card.
   *
   * @param hostPid in the node's PID namespace
   * @param memoryUsedBytes its device memory on this card
   * @param smUtilizationPercent 0..100, its share of the card's SMs over the last sample period (0 when unknown)
   */
  public record ProcessUsage(int hostPid, long memoryUsedBytes, int smUtilizationPercent) {
    public ProcessUsage {
      if (hostPid <= 0) {
        throw new IllegalArgumentException("hostPid must be > 0, got " + hostPid);
      }
    }
  }
}
