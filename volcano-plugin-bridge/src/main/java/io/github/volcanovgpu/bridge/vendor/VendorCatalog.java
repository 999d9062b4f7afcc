package io.github.volcanovgpu.bridge.vendor;

import io.github.volcanovgpu.bridge.device.DeviceVendor;
import io.github.volcanovgpu.bridge.scheduling.DeviceKinds;
import io.github.volcanovgpu.bridge.vendor.ascend.AscendAliases;
import io.github.volcanovgpu.bridge.vendor.ascend.AscendVendor;
import io.github.volcanovgpu.bridge.vendor.nvidia.NvidiaVendor;
import io.github.volcanovgpu.bridge.vendor.vastai.VastaiVendor;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.contract.config.VnpuChipConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The device kinds a {@code device-config.yaml} configures, in order: NVIDIA vGPU (block {@code nvidia}), one kind
 * per Ascend chip ({@code vnpus.configs}), Vastai ({@code vastai}, unless disabled). The one place that names every
 * kind; a new kind adds a line here, a package beside the others and its config block.
 */
public final class VendorCatalog {
  private VendorCatalog() {}

  public static DeviceKinds kinds(DeviceConfig config) {
    List<DeviceVendor<?>> kinds = new ArrayList<>();
    kinds.add(NvidiaVendor.of(config.nvidia()));
    List<VnpuChipConfig> chips = config.vnpus().configs();
    AscendAliases aliases = new AscendAliases(chips);
    for (VnpuChipConfig chip : chips) {
      kinds.add(new AscendVendor(chip, config.vnpus().hamiVnpuCore(), aliases));
    }
    if (config.vastai().enabled()) {
      kinds.add(new VastaiVendor(config.vastai()));
    }
    return DeviceKinds.of(kinds);
  }
}
