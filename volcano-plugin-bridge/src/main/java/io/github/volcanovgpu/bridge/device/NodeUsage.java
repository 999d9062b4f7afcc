package io.github.volcanovgpu.bridge.device;

import io.github.volcanovgpu.contract.device.RegisteredDevice;
import io.github.volcanovgpu.contract.device.SharingMode;
import java.util.List;
import java.util.Objects;

/**
 * Immutable usage of every device of one kind on one node, in registration order (index i = device i).
 *
 * @param mode how the node shares this kind's devices, as the kind decoded its registration
 */
public record NodeUsage<D extends RegisteredDevice>(String node, SharingMode mode, List<DeviceUsage<D>> devices) {
  public NodeUsage {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(mode, "mode");
    devices = List.copyOf(devices);
  }

  /** This usage as if the pods {@code podUids} had left the node (their shares released). */
  public NodeUsage<D> without(java.util.Set<String> podUids) {
    if (podUids.isEmpty()) {
      return this;
    }
    List<DeviceUsage<D>> out = new java.util.ArrayList<>(devices.size());
    for (DeviceUsage<D> d : devices) {
      boolean touched = false;
      for (PodShare s : d.pods()) {
        touched |= podUids.contains(s.podUid());
      }
      if (!touched) {
        out.add(d);
        continue;
      }
      DeviceUsage<D> left = DeviceUsage.idle(d.device());
      for (PodShare s : d.pods()) {
        if (!podUids.contains(s.podUid())) {
          left = left.plus(s);
        }
      }
      out.add(left);
    }
    return new NodeUsage<>(node, mode, out);
  }
}
