package io.github.volcanovgpu.plugin.mig;

import java.util.Locale;

/**
 * NVIDIA k8s-device-plugin's {@code --mig-strategy} for static MIG layouts (reference deviceplugin-cdi-mig.md §3.5).
 */
public enum MigStrategy {
  /** MIG ignored: every card is advertised whole through the vGPU resources. */
  NONE,
  /** Every card MIG-enabled with one profile; each MIG device is one ID of the count resource. */
  SINGLE,
  /** One resource {@code nvidia.com/mig-<profile>} per profile; cards without MIG stay vGPU cards. */
  MIXED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** {@code none}, {@code single} or {@code mixed}; anything else is an error naming the choices. */
  public static MigStrategy parse(String value) {
    for (MigStrategy s : values()) {
      if (s.wireName().equals(value.trim().toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown MIG strategy \"" + value + "\" (want none, single or mixed)");
  }
}
