package io.github.volcanovgpu.contract.device;

import java.util.ArrayList;
import java.util.List;

/**
 * The devices assigned to one pod: entry i belongs to the i-th GPU-requesting regular container (not the i-th
 * container of the pod spec), as Volcano encodes it.
 */
public record PodDevices(List<List<DeviceSlice>> containers) {
  public PodDevices {
    List<List<DeviceSlice>> copy = new ArrayList<>(containers.size());
    for (List<DeviceSlice> c : containers) {
      copy.add(List.copyOf(c));
    }
    containers = List.copyOf(copy);
  }

  public static PodDevices empty() {
    return new PodDevices(List.of());
  }

  public boolean isEmpty() {
    return containers.stream().allMatch(List::isEmpty);
  }

  /** Every slice of every container, in order. */
  public List<DeviceSlice> allSlices() {
    List<DeviceSlice> all = new ArrayList<>();
    containers.forEach(all::addAll);
    return all;
  }
}
