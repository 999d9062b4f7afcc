package io.github.volcanovgpu.mig.layout;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One entry of a mig-parted config.
 *
 * @param devices which GPUs
 * @param migEnabled the {@code mig-enabled} flag
 * @param migDevices profile name to count, in file order
 * @param deviceFilter PCI ids ({@code 0x20B010DE}) or model names; empty = every GPU
 */
public record MigConfigEntry(
    DeviceSelector devices, boolean migEnabled, Map<String, Integer> migDevices, List<String> deviceFilter) {
  public MigConfigEntry {
    Objects.requireNonNull(devices, "devices");
    migDevices = Collections.unmodifiableMap(new LinkedHashMap<>(migDevices));
    deviceFilter = List.copyOf(deviceFilter);
    if (!migEnabled && !migDevices.isEmpty()) {
      throw new MigConfigException("MIG devices included when 'mig-enabled' is false");
    }
  }

  /**
   * True when this entry applies to the GPU: index selected and, with a filter, its PCI id equal to a filter entry
   * (case-insensitive) or its name containing one (older configs use model names).
   */
  public boolean appliesTo(int index, String deviceName, String pciDeviceId) {
    if (!devices.selects(index)) {
      return false;
    }
    if (deviceFilter.isEmpty()) {
      return true;
    }
    String upperName = deviceName.toUpperCase(Locale.ROOT);
    for (String f : deviceFilter) {
      if (f.equalsIgnoreCase(pciDeviceId) || upperName.contains(f.toUpperCase(Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }
}
