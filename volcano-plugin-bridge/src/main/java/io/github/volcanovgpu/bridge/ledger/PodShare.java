package io.github.volcanovgpu.bridge.ledger;

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
 */
public record PodShare(
    String podUid, String podKey, String groupKey, long memoryUnits, int coresPercent, boolean reserved) {
  public PodShare {
    Objects.requireNonNull(podUid, "podUid");
    Objects.requireNonNull(podKey, "podKey");
    Objects.requireNonNull(groupKey, "groupKey");
  }
}
