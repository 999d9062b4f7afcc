package io.github.volcanovgpu.plugin.vendor.ascend;

import io.github.volcanovgpu.plugin.device.PhysicalDevice;
import java.util.Objects;

/**
 * One Ascend NPU (a die for 910C) as DCMI or a fake machine describes it.
 *
 * @param uuid stable unique id: the die id DCMI reports ({@code dcmi_get_device_die_v2}, VDIE, five 8-digit hex
 *     words joined by {@code -}), else {@code <node>-npu-<phyId>}
 * @param phyId the physical id: {@code /dev/davinci<phyId>}, the {@code ASCEND_VISIBLE_DEVICES} entry
 * @param logicId DCMI's logic id
 * @param cardId DCMI card id
 * @param deviceId DCMI device id within the card
 * @param chipName the chip as DCMI names it ({@code 910B3}, {@code Ascend910} for 910C dies, {@code 310P3}),
 *     matched against {@code vnpus.configs[].chipName}
 * @param memoryMib device memory (HBM or DDR) in MiB, 0 when unknown
 * @param aiCore AI cores, 0 when unknown
 * @param networkId the network group (910 series topology), -1 when unknown
 * @param moduleId the 910C module (two dies), -1 when unknown
 * @param numaNode NUMA node, -1 when unknown
 */
public record Npu(String uuid, int phyId, int logicId, int cardId, int deviceId, String chipName, long memoryMib,
    int aiCore, int networkId, int moduleId, int numaNode) implements PhysicalDevice {
  public Npu {
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(chipName, "chipName");
    if (uuid.isBlank() || uuid.contains(",") || uuid.contains(":") || uuid.contains(";")) {
      throw new IllegalArgumentException("NPU id must be non-empty without ',', ':' or ';': \"" + uuid + "\"");
    }
    if (phyId < 0 || memoryMib < 0 || aiCore < 0) {
      throw new IllegalArgumentException("phyId, memoryMib and aiCore must be >= 0 (NPU " + uuid + ")");
    }
  }

  @Override
  public int minorNumber() {
    return phyId;
  }
}
