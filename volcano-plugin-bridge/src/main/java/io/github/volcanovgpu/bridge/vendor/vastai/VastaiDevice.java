package io.github.volcanovgpu.bridge.vendor.vastai;

import io.github.volcanovgpu.contract.annotation.HamiDeviceInfo;
import io.github.volcanovgpu.contract.annotation.VastaiAnnotations;
import io.github.volcanovgpu.contract.device.RegisteredDevice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One registered Vastai device: a whole card, or in die mode one die of a card.
 *
 * @param aic the card (AIC) the device is on: custom info {@code AIC}, else the device's own id
 * @param card the card's position among the node's cards (0.., in registration order), for array-indexed fits
 */
public record VastaiDevice(HamiDeviceInfo info, String aic, int card) implements RegisteredDevice {
  public VastaiDevice {
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(aic, "aic");
  }

  /** The node's devices, each knowing the position of its card. */
  static List<VastaiDevice> of(List<HamiDeviceInfo> infos) {
    Map<String, Integer> cards = new HashMap<>();
    List<VastaiDevice> out = new ArrayList<>(infos.size());
    for (HamiDeviceInfo info : infos) {
      String aic = info.customString(VastaiAnnotations.CUSTOM_AIC).orElse(info.id());
      out.add(new VastaiDevice(info, aic, cards.computeIfAbsent(aic, k -> cards.size())));
    }
    return out;
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
