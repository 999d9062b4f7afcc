package io.github.volcanovgpu.bridge.device;

import io.github.volcanovgpu.contract.device.RegisteredDevice;
import io.github.volcanovgpu.contract.device.SharingMode;
import java.util.List;
import java.util.Objects;

/** A node's devices of one kind as the kind decoded them: registered devices, or why the node offers none. */
public sealed interface Inventory<D extends RegisteredDevice> {
  /** The node offers these devices, shared in {@code mode}. */
  record Registered<D extends RegisteredDevice>(SharingMode mode, List<D> devices) implements Inventory<D> {
    public Registered {
      Objects.requireNonNull(mode, "mode");
      devices = List.copyOf(devices);
    }
  }

  /** The node offers no device of this kind; {@code reason} says why (missing or malformed annotation...). */
  record Unregistered<D extends RegisteredDevice>(String reason) implements Inventory<D> {
    public Unregistered {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
