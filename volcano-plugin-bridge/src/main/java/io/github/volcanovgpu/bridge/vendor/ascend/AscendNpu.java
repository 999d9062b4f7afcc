package io.github.volcanovgpu.bridge.vendor.ascend;

import io.github.volcanovgpu.contract.annotation.AscendAnnotations;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfo;
import io.github.volcanovgpu.contract.device.RegisteredDevice;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One registered Ascend NPU as the scheduler reads it: HAMi's device record, the 910C module it belongs to, its
 * network group, and the node's vnpu-core groups (the seed's {@code hami.io/vnpu-core-node-filter}).
 *
 * @param module the module (two NPUs on 910C): custom info {@code ModuleID}, else {@code index / 2} as HAMi
 * @param networkId custom info {@code NetworkID} (910 series topology), empty when not registered
 * @param nodeGroups the node's {@code hami.io/vnpu-core-node-filter} values
 */
public record AscendNpu(HamiDeviceInfo info, long module, OptionalLong networkId, Set<String> nodeGroups)
    implements RegisteredDevice {
  public AscendNpu {
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(networkId, "networkId");
    nodeGroups = Set.copyOf(nodeGroups);
  }

  static AscendNpu of(HamiDeviceInfo info, Set<String> nodeGroups) {
    long module = info.customLong(AscendAnnotations.CUSTOM_MODULE_ID).orElse((long) info.index() / 2);
    OptionalLong network = info.customLong(AscendAnnotations.CUSTOM_NETWORK_ID)
        .map(OptionalLong::of).orElse(OptionalLong.empty());
    return new AscendNpu(info, module, network, nodeGroups);
  }

  @Override
  public String uuid() {
    return info.id();
  }

  @Override
  public int index() {
    return info.index();
  }

  @Override
  public int splitCount() {
    return info.count();
  }

  @Override
  public long memoryUnits() {
    return info.devmem();
  }

  @Override
  public String type() {
    return info.type();
  }

  @Override
  public boolean healthy() {
    return info.health();
  }
}
