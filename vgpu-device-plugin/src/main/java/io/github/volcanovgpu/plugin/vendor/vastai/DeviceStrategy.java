package io.github.volcanovgpu.plugin.vendor.vastai;

import io.github.volcanovgpu.contract.annotation.VastaiAnnotations;
import java.util.Locale;

/** What one Vastai device is ({@code --device-strategy}, as Vastai's plugin): a whole card or one die. */
public enum DeviceStrategy {
  CARD(VastaiAnnotations.STRATEGY_CARD),
  DIE(VastaiAnnotations.STRATEGY_DIE);

  private final String wireName;

  DeviceStrategy(String wireName) {
    this.wireName = wireName;
  }

  /** The custom-info {@code DeviceStrategy} value and the flag value. */
  public String wireName() {
    return wireName;
  }

  /** {@code card} or {@code die}; anything else is an error naming both. */
  public static DeviceStrategy parse(String value) {
    for (DeviceStrategy s : values()) {
      if (s.wireName.equals(value.trim().toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown device strategy \"" + value + "\" (want card or die)");
  }
}
