package io.github.volcanovgpu.bridge.device;

import io.github.volcanovgpu.contract.device.GpuMode;
import io.github.volcanovgpu.contract.device.RegisteredGpu;
import java.util.List;
import java.util.Objects;

/** A node's device inventory as decoded by a vendor: registered devices, or why the node offers none. */
public sealed interface Inventory {
  /** The node offers these devices. */
  record Registered(GpuMode mode, List<RegisteredGpu> gpus) implements Inventory {
    public Registered {
      Objects.requireNonNull(mode, "mode");
      gpus = List.copyOf(gpus);
    }
  }

  /** The node offers no device of this kind; {@code reason} says why (missing or malformed annotation...). */
  record Unregistered(String reason) implements Inventory {
    public Unregistered {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
