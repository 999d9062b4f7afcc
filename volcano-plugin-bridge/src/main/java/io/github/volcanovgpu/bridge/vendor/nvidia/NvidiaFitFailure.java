package io.github.volcanovgpu.bridge.vendor.nvidia;

import io.github.volcanovgpu.bridge.device.FitFailure;

/** Why an NVIDIA GPU cannot take a container, in Volcano's check order. */
enum NvidiaFitFailure implements FitFailure {
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

  NvidiaFitFailure(boolean resolvable, String description) {
    this.resolvable = resolvable;
    this.description = description;
  }

  @Override
  public boolean isResolvable() {
    return resolvable;
  }

  @Override
  public String description() {
    return description;
  }
}
