package io.github.volcanovgpu.plugin.mig;

import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.PhysicalGpu;
import java.util.List;
import java.util.Objects;

/**
 * One selected card with its MIG state.
 *
 * @param gpu the card as the GPU backend discovered it
 * @param nvmlIndex its NVML index (the MIG port's numbering)
 * @param migEnabled MIG mode currently on
 * @param instances its MIG devices, in the port's order
 */
public record MigCard(PhysicalGpu gpu, int nvmlIndex, boolean migEnabled, List<MigInstance> instances) {
  public MigCard {
    Objects.requireNonNull(gpu, "gpu");
    instances = List.copyOf(instances);
  }
}
