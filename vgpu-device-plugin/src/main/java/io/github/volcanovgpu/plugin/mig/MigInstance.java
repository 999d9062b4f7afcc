package io.github.volcanovgpu.plugin.mig;

import java.util.Objects;

/**
 * One MIG device of the node as the plugin advertises and names it.
 *
 * @param uuid {@code MIG-...}: the kubelet device ID, the CDI name and the {@code NVIDIA_VISIBLE_DEVICES} value
 * @param parentUuid the card ({@code GPU-...}); its health is the device's health
 * @param parentIndex NVML index of the card
 * @param parentMinor {@code /dev/nvidia<minor>} of the card
 * @param position index of the device on its card (CDI index name {@code <parentIndex>:<position>})
 * @param gi GPU instance id
 * @param ci compute instance id
 * @param profile GI profile name, e.g. {@code 1g.10gb}
 * @param numaNode the card's NUMA node, -1 when unknown
 */
public record MigInstance(String uuid, String parentUuid, int parentIndex, int parentMinor, int position, int gi,
    int ci, String profile, int numaNode) {
  public MigInstance {
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(parentUuid, "parentUuid");
    Objects.requireNonNull(profile, "profile");
  }

  /** NVIDIA's mixed-strategy resource {@code nvidia.com/mig-<profile>} ({@code +} becomes {@code .}). */
  public String mixedResourceName() {
    return "nvidia.com/mig-" + profile.replace('+', '.');
  }
}
