package io.github.volcanovgpu.contract.device;

import java.util.Objects;

/**
 * One device handed to one container: an entry {@code UUID,TYPE,USEDMEM,USEDCORES:} of
 * {@code volcano.sh/vgpu-ids-new} / {@code volcano.sh/devices-to-allocate}.
 *
 * @param uuid GPU UUID (MIG slices carry {@code [group-pos]} after the parent UUID)
 * @param type always {@code NVIDIA} for Volcano's vGPU
 * @param memoryUnits memory in {@code gpuMemoryFactor} MiB units
 * @param coresPercent share of SMs, 0-100
 */
public record DeviceSlice(String uuid, String type, long memoryUnits, int coresPercent) {
  /** The type string Volcano writes for every NVIDIA vGPU slice. */
  public static final String NVIDIA = "NVIDIA";

  public DeviceSlice {
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(type, "type");
    if (uuid.isEmpty()) {
      throw new IllegalArgumentException("uuid must not be empty");
    }
    if (memoryUnits < 0) {
      throw new IllegalArgumentException("memoryUnits must be >= 0, got " + memoryUnits);
    }
    if (coresPercent < 0) {
      throw new IllegalArgumentException("coresPercent must be >= 0, got " + coresPercent);
    }
  }

  /** A slice of an NVIDIA GPU. */
  public static DeviceSlice nvidia(String uuid, long memoryUnits, int coresPercent) {
    return new DeviceSlice(uuid, NVIDIA, memoryUnits, coresPercent);
  }

  /** The physical GPU UUID: the part before a MIG {@code [group-pos]} suffix. */
  public String physicalUuid() {
    int bracket = uuid.indexOf('[');
    return bracket < 0 ? uuid : uuid.substring(0, bracket);
  }
}
