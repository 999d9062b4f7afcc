package io.github.volcanovgpu.mig.layout;

import java.util.List;

/** The {@code devices} field: {@code all} or a list of GPU indices. */
public record DeviceSelector(boolean all, List<Integer> indices) {
  public static final DeviceSelector ALL = new DeviceSelector(true, List.of());

  public DeviceSelector {
    indices = List.copyOf(indices);
    if (all && !indices.isEmpty()) {
      throw new IllegalArgumentException("'all' takes no indices");
    }
  }

  public static DeviceSelector of(List<Integer> indices) {
    return new DeviceSelector(false, indices);
  }

  public boolean selects(int index) {
    return all || indices.contains(index);
  }
}
