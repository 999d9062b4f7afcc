package io.github.volcanovgpu.plugin.vendor.ascend;

import io.github.volcanovgpu.contract.annotation.AscendAnnotations;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfo;
import io.github.volcanovgpu.contract.config.VnpuChipConfig;
import io.github.volcanovgpu.plugin.device.DeviceHealth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One configured Ascend chip as served on this node: its NPUs in DCMI's order (the registration index), whether the
 * node runs hami-core soft sharing, and how many shares each NPU has. Pure.
 *
 * @param sharesPerNpu hami-core: the split count; template mode: how many of the smallest template fit the chip's
 *     allocatable memory (1 without templates), as HAMi's ascend-device-plugin counts
 */
public record AscendChip(VnpuChipConfig config, List<Npu> npus, boolean hamiCore, int sharesPerNpu) {
  /** What a hami-core node registers as {@code devcore}: the whole NPU is 100 % (HAMi's advertised devcore). */
  static final int HAMI_CORE_DEVCORE = 100;

  public AscendChip {
    Objects.requireNonNull(config, "config");
    npus = List.copyOf(npus);
    if (sharesPerNpu < 1) {
      throw new IllegalArgumentException("shares per NPU must be >= 1, got " + sharesPerNpu);
    }
  }

  /** The chip's shares per NPU on a node in the given mode. */
  static int shares(VnpuChipConfig config, boolean hamiCore, int splitCount) {
    if (hamiCore) {
      return splitCount;
    }
    return config.templates().isEmpty() ? 1
        : (int) Math.max(1, config.memoryAllocatableMib() / config.templates().get(0).memoryMib());
  }

  public String commonWord() {
    return config.commonWord();
  }

  /** 910C SuperPod: NPUs are handed out in module pairs. */
  public boolean modulePairs() {
    return config.isAscend910C() && config.superPod();
  }

  /** The NPU of this chip with id {@code uuid}. */
  public Optional<Npu> npu(String uuid) {
    return npus.stream().filter(n -> n.uuid().equals(uuid)).findFirst();
  }

  /**
   * HAMi's {@code DeviceInfo} per NPU ({@code hami.io/node-register-<CommonWord>}): index = position, count = shares,
   * devmem = the chip's allocatable memory, devcore = AI cores (template) or 100 (hami-core), type = CommonWord, mode
   * {@code hami-core} on hami-core nodes, custom info {@code PhyID}, {@code NetworkID} (910 series) and
   * {@code ModuleID} (910C SuperPod).
   */
  public List<HamiDeviceInfo> registration(Map<String, DeviceHealth> health) {
    List<HamiDeviceInfo> out = new ArrayList<>();
    for (int i = 0; i < npus.size(); i++) {
      Npu n = npus.get(i);
      Map<String, Object> custom = new LinkedHashMap<>();
      custom.put(AscendAnnotations.CUSTOM_PHYSICAL_ID, (long) n.phyId());
      if (commonWord().startsWith("Ascend910")) {
        custom.put(AscendAnnotations.CUSTOM_NETWORK_ID, (long) networkId(n, i));
      }
      if (modulePairs()) {
        custom.put(AscendAnnotations.CUSTOM_MODULE_ID, (long) (n.moduleId() >= 0 ? n.moduleId() : i / 2));
      }
      out.add(new HamiDeviceInfo(n.uuid(), i, sharesPerNpu, config.memoryAllocatableMib(),
          hamiCore ? HAMI_CORE_DEVCORE : config.aiCore(), commonWord(), Math.max(0, n.numaNode()),
          hamiCore ? AscendAnnotations.VNPU_MODE_HAMI_CORE : "",
          health.getOrDefault(n.uuid(), DeviceHealth.HEALTHY).isHealthy(), "", custom));
    }
    return out;
  }

  /** The NPU's network group: as discovered, else HAMi's rule (910C: 0, one SuperPod; others: 1 from the fifth on). */
  private int networkId(Npu n, int index) {
    if (n.networkId() >= 0) {
      return n.networkId();
    }
    return config.isAscend910C() ? 0 : index > 3 ? 1 : 0;
  }
}
