package io.github.volcanovgpu.bridge.vendor.ascend;

import io.github.volcanovgpu.bridge.device.InvalidDemandException;
import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.contract.annotation.AscendAnnotations;
import io.github.volcanovgpu.contract.config.VnpuChipConfig;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The seed's alias resources {@code hami.io/vnpu-core} (NPUs) and {@code hami.io/vnpu-core-memory} (MiB per NPU):
 * they mean the chip the pod annotation {@code hami.io/vnpu-core} names (e.g. {@code ascend910c}, matched without
 * case against the chip's commonWord or chipName, with or without the {@code Ascend} prefix), or the only Ascend chip
 * configured. Anything else is refused with a reason saying how to disambiguate.
 */
public final class AscendAliases {
  private final List<VnpuChipConfig> chips;

  public AscendAliases(List<VnpuChipConfig> chips) {
    this.chips = List.copyOf(chips);
  }

  /** True when a container of the pod names an alias resource. */
  static boolean used(PodView pod) {
    for (ContainerView c : pod.containers()) {
      if (names(c)) {
        return true;
      }
    }
    return false;
  }

  static boolean names(ContainerView c) {
    return c.limits().containsKey(AscendAnnotations.ALIAS_COUNT)
        || c.limits().containsKey(AscendAnnotations.ALIAS_MEMORY)
        || c.requests().containsKey(AscendAnnotations.ALIAS_COUNT)
        || c.requests().containsKey(AscendAnnotations.ALIAS_MEMORY);
  }

  /**
   * The commonWord the pod's alias resources mean; empty when it uses none.
   *
   * @throws InvalidDemandException when the annotation names no configured chip, or none names one and several are
   *     configured
   */
  public Optional<String> owner(PodView pod) {
    if (!used(pod)) {
      return Optional.empty();
    }
    String named = pod.annotations().get(AscendAnnotations.ALIAS_CHIP);
    List<String> words = chips.stream().map(VnpuChipConfig::commonWord).toList();
    if (named != null && !named.isBlank()) {
      String want = bare(named);
      for (VnpuChipConfig c : chips) {
        if (bare(c.commonWord()).equals(want) || bare(c.chipName()).equals(want)) {
          return Optional.of(c.commonWord());
        }
      }
      throw new InvalidDemandException("pod " + pod.key() + ": annotation " + AscendAnnotations.ALIAS_CHIP + ": \""
          + named + "\" names no configured Ascend chip (configured: " + String.join(", ", words) + ")");
    }
    if (chips.size() == 1) {
      return Optional.of(chips.get(0).commonWord());
    }
    throw new InvalidDemandException("pod " + pod.key() + " asks " + AscendAnnotations.ALIAS_COUNT + " / "
        + AscendAnnotations.ALIAS_MEMORY + ", which mean the only Ascend chip configured, but " + chips.size()
        + " are (" + String.join(", ", words) + "): name the chip with the pod annotation "
        + AscendAnnotations.ALIAS_CHIP + ": <chip> (e.g. ascend910c), or ask huawei.com/<chip> and "
        + "huawei.com/<chip>-memory directly");
  }

  private static String bare(String s) {
    String l = s.trim().toLowerCase(Locale.ROOT);
    return l.startsWith("ascend") ? l.substring("ascend".length()) : l;
  }
}
