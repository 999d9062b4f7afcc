package io.github.volcanovgpu.contract.device;

import java.util.Locale;

/** Sharing mode of a physical GPU as the device plugin registers it (6th field of the register annotation). */
public enum GpuMode {
  /** Soft limits enforced in the container by libvgpu (HAMi-core). */
  HAMI_CORE("hami-core"),
  /** Hardware partitions (Multi-Instance GPU). */
  MIG("mig");

  private final String wireName;

  GpuMode(String wireName) {
    this.wireName = wireName;
  }

  /** The name on the wire, e.g. {@code hami-core}. */
  public String wireName() {
    return wireName;
  }

  /** Volcano's rule: unknown modes fall back to {@code hami-core}. */
  public static GpuMode fromWire(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    return v.equals(MIG.wireName) ? MIG : HAMI_CORE;
  }

  /** Exact lookup, empty-handed for anything but the two wire names. */
  public static java.util.Optional<GpuMode> parseStrict(String value) {
    for (GpuMode m : values()) {
      if (m.wireName.equals(value.trim())) {
        return java.util.Optional.of(m);
      }
    }
    return java.util.Optional.empty();
  }
}
