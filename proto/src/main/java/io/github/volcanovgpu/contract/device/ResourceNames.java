package io.github.volcanovgpu.contract.device;

import java.util.Objects;
import java.util.Optional;

/**
 * The Kubernetes extended-resource names of the NVIDIA vGPU device kind. Names are configuration (the
 * {@code nvidia:} block of {@code device-config.yaml}), never literals in scheduling code.
 *
 * @param count physical GPUs per container, e.g. {@code volcano.sh/vgpu-number}
 * @param memory memory per GPU in {@code gpuMemoryFactor} MiB, e.g. {@code volcano.sh/vgpu-memory}
 * @param memoryPercentage memory as % of the card; empty string when not configured (Volcano's built-in default)
 * @param cores % of SMs per GPU, e.g. {@code volcano.sh/vgpu-cores}
 */
public record ResourceNames(String count, String memory, String memoryPercentage, String cores) {
  /** The literal names Volcano's node admission rule checks in {@code status.allocatable}. */
  public static final String VOLCANO_COUNT = "volcano.sh/vgpu-number";

  public static final String VOLCANO_MEMORY = "volcano.sh/vgpu-memory";
  public static final String VOLCANO_MEMORY_PERCENTAGE = "volcano.sh/vgpu-memory-percentage";
  public static final String VOLCANO_CORES = "volcano.sh/vgpu-cores";

  public ResourceNames {
    Objects.requireNonNull(count, "count");
    Objects.requireNonNull(memory, "memory");
    Objects.requireNonNull(memoryPercentage, "memoryPercentage");
    Objects.requireNonNull(cores, "cores");
    if (count.isBlank() || memory.isBlank() || cores.isBlank()) {
      throw new IllegalArgumentException("count, memory and cores resource names must not be blank");
    }
  }

  /** Volcano's defaults, percentage name included as Project-HAMi's shipped ConfigMap does. */
  public static ResourceNames volcanoDefaults() {
    return new ResourceNames(VOLCANO_COUNT, VOLCANO_MEMORY, VOLCANO_MEMORY_PERCENTAGE, VOLCANO_CORES);
  }

  public Optional<String> memoryPercentageName() {
    return memoryPercentage.isEmpty() ? Optional.empty() : Optional.of(memoryPercentage);
  }

  /** True when {@code name} is one of these resources. */
  public boolean contains(String name) {
    return name.equals(count)
        || name.equals(memory)
        || name.equals(cores)
        || (!memoryPercentage.isEmpty() && name.equals(memoryPercentage));
  }
}
