package io.github.volcanovgpu.contract.device;

import java.util.Locale;

/** How a node's devices of one kind are shared, as its device plugin registered them. */
public enum SharingMode {
  /** Soft limits enforced in the container by libvgpu: NVIDIA hami-core, Ascend hami-vnpu-core. */
  SOFT_LIMIT("hami-core"),
  /** NVIDIA Multi-Instance GPU partitions. */
  MIG("mig"),
  /** Ascend hard-split vNPUs from the chip's templates. */
  VNPU_TEMPLATE("template"),
  /** A whole device per container (Vastai full-card mode). */
  EXCLUSIVE("card"),
  /** Vastai die mode: each die is a device, grouped by card (AIC). */
  DIE("die");

  private final String wireName;

  SharingMode(String wireName) {
    this.wireName = wireName;
  }

  /** The mode's name in annotations and messages, e.g. {@code hami-core}. */
  public String wireName() {
    return wireName;
  }

  /** The NVIDIA node modes map onto the two NVIDIA sharing modes. */
  public static SharingMode of(GpuMode mode) {
    return mode == GpuMode.MIG ? MIG : SOFT_LIMIT;
  }

  @Override
  public String toString() {
    return wireName.toLowerCase(Locale.ROOT);
  }
}
