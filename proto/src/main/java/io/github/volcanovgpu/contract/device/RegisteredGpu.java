package io.github.volcanovgpu.contract.device;

import java.util.Objects;

/**
 * One physical GPU as the device plugin registers it in {@code volcano.sh/node-vgpu-register}.
 *
 * @param uuid GPU UUID, e.g. {@code GPU-03f69c50-...}
 * @param index position in the annotation (Volcano's device index)
 * @param splitCount how many tasks may share this GPU
 * @param memoryUnits total device memory in {@code gpuMemoryFactor} MiB units (MiB with the default factor 1)
 * @param type {@code NVIDIA-} + NVML device name, e.g. {@code NVIDIA-NVIDIA A100-PCIE-40GB}
 * @param healthy health bit reported by the device plugin
 * @param mode sharing mode
 */
public record RegisteredGpu(
    String uuid, int index, int splitCount, long memoryUnits, String type, boolean healthy, GpuMode mode)
    implements RegisteredDevice {
  public RegisteredGpu {
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(mode, "mode");
    if (index < 0) {
      throw new IllegalArgumentException("index must be >= 0, got " + index);
    }
    if (splitCount < 0) {
      throw new IllegalArgumentException("splitCount must be >= 0, got " + splitCount);
    }
    if (memoryUnits < 0) {
      throw new IllegalArgumentException("memoryUnits must be >= 0, got " + memoryUnits);
    }
  }

  public RegisteredGpu withIndex(int newIndex) {
    return new RegisteredGpu(uuid, newIndex, splitCount, memoryUnits, type, healthy, mode);
  }

  public RegisteredGpu withHealthy(boolean newHealthy) {
    return new RegisteredGpu(uuid, index, splitCount, memoryUnits, type, newHealthy, mode);
  }
}
