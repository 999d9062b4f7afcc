package io.github.volcanovgpu.mig.reconcile;

import java.util.Objects;

/**
 * A dynamic-MIG device id as Volcano writes it in {@code devices-to-allocate}: {@code <GPU UUID>[<group>-<pos>]}
 * (reference volcano-vgpu.md §1.9, §1.12). The group name may itself contain {@code -}; the position is after the
 * last one.
 */
public record MigSliceId(String gpuUuid, String group, int position) {
  public MigSliceId {
    Objects.requireNonNull(gpuUuid, "gpuUuid");
    Objects.requireNonNull(group, "group");
    if (gpuUuid.isEmpty() || group.isEmpty() || position < 0) {
      throw new IllegalArgumentException("invalid MIG slice id " + gpuUuid + "[" + group + "-" + position + "]");
    }
  }

  /** True when {@code id} carries a {@code [group-pos]} suffix. */
  public static boolean isMigId(String id) {
    return id.endsWith("]") && id.indexOf('[') > 0;
  }

  /** Parses {@code GPU-x[group2-3]}; a clear {@link IllegalArgumentException} when it is not one. */
  public static MigSliceId parse(String id) {
    int open = id.indexOf('[');
    if (open <= 0 || !id.endsWith("]")) {
      throw new IllegalArgumentException("not a MIG slice id (want <uuid>[<group>-<pos>]): " + id);
    }
    String inner = id.substring(open + 1, id.length() - 1);
    int dash = inner.lastIndexOf('-');
    if (dash <= 0 || dash == inner.length() - 1) {
      throw new IllegalArgumentException("not a MIG slice id (want <uuid>[<group>-<pos>]): " + id);
    }
    int pos;
    try {
      pos = Integer.parseInt(inner.substring(dash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("MIG slice id " + id + ": position is not a number");
    }
    if (pos < 0) {
      throw new IllegalArgumentException("MIG slice id " + id + ": negative position");
    }
    return new MigSliceId(id.substring(0, open), inner.substring(0, dash), pos);
  }

  @Override
  public String toString() {
    return gpuUuid + "[" + group + "-" + position + "]";
  }
}
