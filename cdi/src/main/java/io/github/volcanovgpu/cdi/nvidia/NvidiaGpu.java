package io.github.volcanovgpu.cdi.nvidia;

import java.util.Objects;

/**
 * A full GPU of the inventory.
 *
 * @param index the NVML index (CDI name {@code "<index>"} with the index naming)
 * @param uuid {@code GPU-...} (CDI name with the uuid naming)
 * @param minor the {@code /dev/nvidia<minor>} minor number
 * @param migEnabled MIG mode on: the card itself is not handed out (not a device, not in {@code all}); its MIG
 *     devices are
 */
public record NvidiaGpu(int index, String uuid, int minor, boolean migEnabled) {
  public NvidiaGpu {
    Objects.requireNonNull(uuid, "uuid");
    if (index < 0 || minor < 0) {
      throw new IllegalArgumentException("GPU " + uuid + ": index and minor must be >= 0, got " + index + ", " + minor);
    }
    if (uuid.isBlank()) {
      throw new IllegalArgumentException("GPU " + index + ": uuid is blank");
    }
  }

  public String deviceNode() {
    return "/dev/nvidia" + minor;
  }
}
