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
}
