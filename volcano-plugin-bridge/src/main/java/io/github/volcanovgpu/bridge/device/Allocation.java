package io.github.volcanovgpu.bridge.device;

import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.contract.device.PodDevices;
import io.github.volcanovgpu.contract.device.RegisteredDevice;
import java.time.Instant;
import java.util.Objects;

/**
 * A fit being committed: the devices chosen for {@code pod} on the node {@code usage} describes (the usage the fit
 * saw, without the pod), at {@code now}. What a kind needs to write its allocation annotations.
 */
public record Allocation<D extends RegisteredDevice>(NodeUsage<D> usage, PodView pod, PodDevices devices,
    Instant now) {
  public Allocation {
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(pod, "pod");
    Objects.requireNonNull(devices, "devices");
    Objects.requireNonNull(now, "now");
  }

  public String node() {
    return usage.node();
  }
}
