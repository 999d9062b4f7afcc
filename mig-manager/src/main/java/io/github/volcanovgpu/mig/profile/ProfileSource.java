package io.github.volcanovgpu.mig.profile;

import java.util.Optional;

/** Where the profiles of one physical GPU come from: NVML at run time, or the built-in catalogue. */
public interface ProfileSource {
  /**
   * The model of the GPU with this NVML name and PCI id, with its profiles; empty when unknown / not MIG-capable.
   */
  Optional<GpuModel> model(int gpuIndex, String deviceName, String pciDeviceId);
}
