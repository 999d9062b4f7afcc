package io.github.volcanovgpu.plugin.vendor.nvidia.gpu;

import io.github.volcanovgpu.plugin.device.PhysicalDevice;
import java.util.Objects;

/**
 * One physical GPU as discovered on the node (NVML or the fake backend).
 *
 * @param uuid GPU UUID, e.g. {@code GPU-03f69c50-...}
 * @param minorNumber the {@code /dev/nvidiaN} minor number; the stable order of registration
 * @param model NVML device name, e.g. {@code NVIDIA A100-PCIE-40GB}
 * @param memoryMib total device memory in MiB
 * @param numaNode NUMA node, -1 when unknown
 * @param migCapable whether the card supports MIG
 */
public record PhysicalGpu(String uuid, int minorNumber, String model, long memoryMib, int numaNode,
    boolean migCapable) implements PhysicalDevice {
  public PhysicalGpu {
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(model, "model");
    if (uuid.isBlank() || uuid.contains(",") || uuid.contains(":")) {
      throw new IllegalArgumentException("uuid must be non-empty without ',' or ':': \"" + uuid + "\"");
    }
    if (model.contains(",") || model.contains(":")) {
      throw new IllegalArgumentException("model must not contain ',' or ':': \"" + model + "\"");
    }
    if (minorNumber < 0) {
      throw new IllegalArgumentException("minorNumber must be >= 0, got " + minorNumber);
    }
    if (memoryMib < 0) {
      throw new IllegalArgumentException("memoryMib must be >= 0, got " + memoryMib);
    }
  }

  /** The type string registered for the scheduler: {@code NVIDIA-} + NVML name (Volcano's encoding). */
  public String registeredType() {
    return "NVIDIA-" + model;
  }
}
