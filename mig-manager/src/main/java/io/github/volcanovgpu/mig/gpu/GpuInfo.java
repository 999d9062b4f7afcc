package io.github.volcanovgpu.mig.gpu;

import java.util.Objects;

/**
 * One physical GPU as the port sees it.
 *
 * @param index NVML index
 * @param uuid {@code GPU-...}
 * @param name NVML product name, e.g. {@code NVIDIA A100-SXM4-40GB}
 * @param pciDeviceId mig-parted device-filter form, e.g. {@code 0x20B010DE}
 * @param memoryMib total memory
 */
public record GpuInfo(int index, String uuid, String name, String pciDeviceId, long memoryMib) {
  public GpuInfo {
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(pciDeviceId, "pciDeviceId");
  }
}
