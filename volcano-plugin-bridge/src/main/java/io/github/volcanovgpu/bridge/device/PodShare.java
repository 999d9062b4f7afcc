package io.github.volcanovgpu.bridge.device;

import java.util.Objects;

/**
 * One pod's share of one GPU.
 *
 * @param podUid pod UID
 * @param podKey {@code namespace/name}
 * @param groupKey {@code namespace/podgroup} or empty (for {@code vgpu-podgroup-policy: spread})
 * @param memoryUnits memory in gpuMemoryFactor MiB units
 * @param coresPercent % of SMs
 * @param reserved true when this share is an in-flight reservation of this sidecar not yet visible in the cache
 * @param deviceId the device id as assigned ({@code UUID}, or {@code UUID[group-pos]} for a MIG slot); empty when
 *     unknown
 */
public record PodShare(
    String podUid, String podKey, String groupKey, long memoryUnits, int coresPercent, boolean reserved,
    String deviceId) {
  public PodShare {
    Objects.requireNonNull(podUid, "podUid");
    Objects.requireNonNull(podKey, "podKey");
    Objects.requireNonNull(groupKey, "groupKey");
    Objects.requireNonNull(deviceId, "deviceId");
  }

  /** A share whose device id does not matter (hami-core). */
  public PodShare(
      String podUid, String podKey, String groupKey, long memoryUnits, int coresPercent, boolean reserved) {
    this(podUid, podKey, groupKey, memoryUnits, coresPercent, reserved, "");
  }
}
