package io.github.volcanovgpu.bridge.vendor.vastai;

import io.github.volcanovgpu.contract.annotation.HamiDeviceInfo;
import io.github.volcanovgpu.contract.annotation.VastaiAnnotations;
import io.github.volcanovgpu.contract.device.RegisteredDevice;
import java.util.Objects;

/**
 * One registered Vastai device: a whole card, or in die mode one die of a card.
 *
 * @param aic the card (AIC) the device is on: custom info {@code AIC}, else the device's own id
 */
public record VastaiDevice(HamiDeviceInfo info, String aic) implements RegisteredDevice {
  public VastaiDevice {
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(aic, "aic");
  }

  static VastaiDevice of(HamiDeviceInfo info) {
    return new VastaiDevice(info, info.customString(VastaiAnnotations.CUSTOM_AIC).orElse(info.id()));
  }

  /** True when the device plugin registered it as a die ({@code DeviceStrategy: die}). */
  public boolean die() {
    return info.customString(VastaiAnnotations.CUSTOM_DEVICE_STRATEGY).map(VastaiAnnotations.STRATEGY_DIE::equals)
        .orElse(false);
  }

  @Override
  public String uuid() {
    return info.id();
  }

  @Override
  public int index() {
    return info.index();
  }

  @Override
  public int splitCount() {
    return Math.max(1, info.count());
  }

  @Override
  public long memoryUnits() {
    return info.devmem();
  }

  @Override
  public String type() {
    return info.type();
  }

  @Override
  public boolean healthy() {
    return info.health();
  }
}
