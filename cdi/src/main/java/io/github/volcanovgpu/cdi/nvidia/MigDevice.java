package io.github.volcanovgpu.cdi.nvidia;

import java.util.Objects;

/**
 * A MIG device (one compute instance of one GPU instance) of the inventory.
 *
 * @param uuid {@code MIG-...}
 * @param parentIndex NVML index of the parent GPU
 * @param parentMinor {@code /dev/nvidia<parentMinor>} of the parent GPU
 * @param position index of the MIG device on its parent (CDI name {@code "<parentIndex>:<position>"})
 * @param gi GPU instance ID
 * @param ci compute instance ID
 * @param giAccessMinor minor of {@code /dev/nvidia-caps/nvidia-cap<N>} for {@code gpu<parentMinor>/gi<gi>/access}
 * @param ciAccessMinor minor for {@code gpu<parentMinor>/gi<gi>/ci<ci>/access}
 */
public record MigDevice(String uuid, int parentIndex, int parentMinor, int position, int gi, int ci,
    int giAccessMinor, int ciAccessMinor) {
  public MigDevice {
    Objects.requireNonNull(uuid, "uuid");
    if (uuid.isBlank()) {
      throw new IllegalArgumentException("MIG device of GPU " + parentIndex + ": uuid is blank");
    }
    if (parentIndex < 0 || parentMinor < 0 || position < 0 || gi < 0 || ci < 0 || giAccessMinor < 0
        || ciAccessMinor < 0) {
      throw new IllegalArgumentException("MIG device " + uuid + ": negative index, ID or minor");
    }
  }

  /** The device from NVML's view plus the capability minors of {@code /proc/driver/nvidia-caps/mig-minors}. */
  public static MigDevice resolve(String uuid, int parentIndex, int parentMinor, int position, int gi, int ci,
      MigMinors minors) {
    return new MigDevice(uuid, parentIndex, parentMinor, position, gi, ci, minors.giAccess(parentMinor, gi),
        minors.ciAccess(parentMinor, gi, ci));
  }

  public String indexName() {
    return parentIndex + ":" + position;
  }
}
