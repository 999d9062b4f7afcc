package io.github.volcanovgpu.bridge.device;

/**
 * Stable reason codes for a GPU that cannot take a container, rendered HAMi-style ("3/8 INSUFFICIENT_MEMORY").
 * {@link #isResolvable()} tells whether evicting pods could ever make the card fit (Volcano code 2 vs 3).
 */
public enum FitFailure {
  UUID_NOT_ALLOWED(false, "not listed in volcano.sh/vgpu-use-gpuuuid"),
  UUID_DENIED(false, "listed in volcano.sh/vgpu-nouse-gpuuuid"),
  UNHEALTHY(true, "card reported unhealthy"),
  SHARES_EXHAUSTED(true, "split count reached"),
  PODGROUP_SPREAD(true, "already hosts a pod of the same pod group (vgpu-podgroup-policy: spread)"),
  INSUFFICIENT_MEMORY(true, "not enough free memory"),
  CARD_MEMORY_TOO_SMALL(false, "request exceeds the card's total memory"),
  INSUFFICIENT_CORES(true, "not enough free cores"),
  CORES_OVER_100(false, "cores request above 100%"),
  EXCLUSIVE_NEEDS_IDLE_CARD(true, "100% cores needs an idle card"),
  CARD_FULLY_CORED(true, "card's cores fully allocated; a 0-core task cannot share it"),
  TYPE_MISMATCH(false, "GPU type excluded by nvidia.com/use-gputype / nouse-gputype"),
  NO_MIG_INSTANCE(true, "no free MIG instance large enough in the card's geometry group");

  private final boolean resolvable;
  private final String description;

  FitFailure(boolean resolvable, String description) {
    this.resolvable = resolvable;
    this.description = description;
  }

  public boolean isResolvable() {
    return resolvable;
  }

  public String description() {
    return description;
  }
}
