package io.github.volcanovgpu.bridge.device;

import io.github.volcanovgpu.contract.device.RegisteredDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Immutable usage of one physical device: its registration plus the shares of the pods on it.
 *
 * @param usedShares number of containers on the device (Volcano's UsedNum)
 * @param usedMemoryUnits memory in the kind's units (UsedMem)
 * @param usedCoresPercent % of compute (UsedCore)
 * @param <D> the kind's registration record
 */
public record DeviceUsage<D extends RegisteredDevice>(
    D device, int usedShares, long usedMemoryUnits, int usedCoresPercent, List<PodShare> pods) {
  public DeviceUsage {
    Objects.requireNonNull(device, "device");
    pods = List.copyOf(pods);
  }

  public static <D extends RegisteredDevice> DeviceUsage<D> idle(D device) {
    return new DeviceUsage<>(device, 0, 0, 0, List.of());
  }

  /** This usage with one more pod share. */
  public DeviceUsage<D> plus(PodShare share) {
    List<PodShare> more = new ArrayList<>(pods.size() + 1);
    more.addAll(pods);
    more.add(share);
    return new DeviceUsage<>(
        device,
        usedShares + 1,
        usedMemoryUnits + share.memoryUnits(),
        usedCoresPercent + share.coresPercent(),
        more);
  }

  public long freeMemoryUnits() {
    return Math.max(0, device.memoryUnits() - usedMemoryUnits);
  }
}
