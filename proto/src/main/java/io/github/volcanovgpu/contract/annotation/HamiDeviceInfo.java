package io.github.volcanovgpu.contract.annotation;

import io.github.volcanovgpu.contract.device.RegisteredDevice;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One device of a HAMi JSON registration annotation ({@code hami.io/node-register-<CommonWord>} for Ascend,
 * {@code hami.io/node-va-register} for Vastai): HAMi's {@code DeviceInfo}, field for field.
 *
 * @param id device id, the UUID assignments name
 * @param count how many containers may share it
 * @param devmem memory in MiB
 * @param devcore compute units ({@code 100} = the whole device for percentage-based kinds; AI cores for Ascend)
 * @param mode the device plugin's sharing mode string (e.g. {@code hami-core}), empty when not given
 * @param customInfo vendor fields, e.g. Ascend {@code NetworkID}, Vastai {@code DeviceStrategy} and {@code AIC};
 *     values are String, Long, Double or Boolean
 */
public record HamiDeviceInfo(
    String id,
    int index,
    int count,
    long devmem,
    int devcore,
    String type,
    int numa,
    String mode,
    boolean health,
    String deviceVendor,
    Map<String, Object> customInfo) implements RegisteredDevice {
  public HamiDeviceInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(deviceVendor, "deviceVendor");
    customInfo = Map.copyOf(customInfo);
    if (id.isEmpty()) {
      throw new IllegalArgumentException("id must not be empty");
    }
    if (index < 0 || count < 0 || devmem < 0 || devcore < 0) {
      throw new IllegalArgumentException("index, count, devmem and devcore must be >= 0");
    }
  }

  @Override
  public String uuid() {
    return id;
  }

  @Override
  public int splitCount() {
    return count;
  }

  @Override
  public long memoryUnits() {
    return devmem;
  }

  @Override
  public boolean healthy() {
    return health;
  }

  /** A whole-number custom field ({@code NetworkID}, {@code AIC} ...), empty when absent or not a whole number. */
  public Optional<Long> customLong(String key) {
    Object v = customInfo.get(key);
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      return Optional.of(n.longValue());
    }
    if (v instanceof String s) {
      try {
        return Optional.of(Long.parseLong(s.trim()));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /** A custom field as text, empty when absent. */
  public Optional<String> customString(String key) {
    Object v = customInfo.get(key);
    return v == null ? Optional.empty() : Optional.of(v instanceof Double d && d == Math.rint(d)
        ? Long.toString(d.longValue()) : String.valueOf(v));
  }

  public HamiDeviceInfo withHealth(boolean healthy) {
    return new HamiDeviceInfo(id, index, count, devmem, devcore, type, numa, mode, healthy, deviceVendor, customInfo);
  }

  public HamiDeviceInfo withCustom(String key, Object value) {
    Map<String, Object> more = new LinkedHashMap<>(customInfo);
    more.put(key, value);
    return new HamiDeviceInfo(id, index, count, devmem, devcore, type, numa, mode, health, deviceVendor, more);
  }
}
