package io.github.volcanovgpu.bridge.vendor.ascend;

import io.github.volcanovgpu.contract.annotation.AscendAnnotations;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfo;
import io.github.volcanovgpu.contract.device.RegisteredDevice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * @param partner the position (in the node's registration) of the other NPU of the module, -1 when none
 */
public record AscendNpu(HamiDeviceInfo info, long module, OptionalLong networkId, Set<String> nodeGroups,
    int partner) implements RegisteredDevice {
  public AscendNpu {
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(networkId, "networkId");
    nodeGroups = Set.copyOf(nodeGroups);
  }

  /**
   * The node's NPUs in registration order, each knowing the position of its module partner ({@code -1} when the
   * module has no other NPU registered, or more than two).
   */
  static List<AscendNpu> of(List<HamiDeviceInfo> infos, Set<String> nodeGroups) {
    long[] modules = new long[infos.size()];
    Map<Long, List<Integer>> byModule = new HashMap<>();
    for (int i = 0; i < infos.size(); i++) {
      HamiDeviceInfo info = infos.get(i);
      modules[i] = info.customLong(AscendAnnotations.CUSTOM_MODULE_ID).orElse((long) info.index() / 2);
      byModule.computeIfAbsent(modules[i], k -> new ArrayList<>(2)).add(i);
    }
    List<AscendNpu> out = new ArrayList<>(infos.size());
    for (int i = 0; i < infos.size(); i++) {
      HamiDeviceInfo info = infos.get(i);
      List<Integer> mates = byModule.get(modules[i]);
      int partner = mates.size() == 2 ? (mates.get(0) == i ? mates.get(1) : mates.get(0)) : -1;
      OptionalLong network = info.customLong(AscendAnnotations.CUSTOM_NETWORK_ID)
          .map(OptionalLong::of).orElse(OptionalLong.empty());
      out.add(new AscendNpu(info, modules[i], network, nodeGroups, partner));
    }
    return out;
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
