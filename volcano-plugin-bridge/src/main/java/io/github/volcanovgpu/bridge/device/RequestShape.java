package io.github.volcanovgpu.bridge.device;

import java.util.Objects;
import java.util.Optional;

/**
 * How a kind's container request is written, for admission (normalising requests) and quotas: the resource names of
 * its count, memory, memory percentage and compute, and the defaults the device config gives them.
 *
 * @param count the count resource (devices per container), e.g. {@code volcano.sh/vgpu-number}
 * @param memory memory per device in the kind's units, empty when the kind has none (Vastai)
 * @param memoryPercentage memory as % of each device, empty when the kind has none
 * @param cores % of compute per device, empty when the kind has none
 * @param defaultCount the count written when only memory or compute is asked (HAMi's {@code defaultGPUNum})
 * @param defaultMemoryUnits memory written when a count is asked without memory, 0 for none (HAMi's
 *     {@code defaultMemory}: without it the container gets the whole card's memory)
 * @param defaultCoresPercent compute written when a share of the memory is asked without compute, 0 for none
 * @param exclusiveWholeCard when a whole card is asked (no memory, or 100 %) without compute, write 100 % compute so
 *     that nobody else shares it (HAMi's NVIDIA rule)
 * @param otherNames further names under the kind's prefixes that are not device requests but are legitimate (the
 *     NVIDIA priority resource), so admission does not take them for typos
 */
public record RequestShape(
    String count,
    Optional<String> memory,
    Optional<String> memoryPercentage,
    Optional<String> cores,
    int defaultCount,
    long defaultMemoryUnits,
    int defaultCoresPercent,
    boolean exclusiveWholeCard,
    java.util.Set<String> otherNames) {
  public RequestShape {
    Objects.requireNonNull(count, "count");
    Objects.requireNonNull(memory, "memory");
    Objects.requireNonNull(memoryPercentage, "memoryPercentage");
    Objects.requireNonNull(cores, "cores");
    otherNames = java.util.Set.copyOf(otherNames);
    if (defaultCount < 1 || defaultMemoryUnits < 0 || defaultCoresPercent < 0 || defaultCoresPercent > 100) {
      throw new IllegalArgumentException("defaults out of range: count " + defaultCount + ", memory "
          + defaultMemoryUnits + ", cores " + defaultCoresPercent);
    }
  }

  /** A kind asked by count alone. */
  public static RequestShape countOnly(String count) {
    return new RequestShape(count, Optional.empty(), Optional.empty(), Optional.empty(), 1, 0, 0, false,
        java.util.Set.of());
  }
}
