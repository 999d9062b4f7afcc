package io.github.volcanovgpu.bridge.vendor.vastai;

import io.github.volcanovgpu.bridge.device.FitFailure;

/** Why a Vastai device cannot take a container, in check order. */
enum VastaiFitFailure implements FitFailure {
  UNHEALTHY(true, "device reported unhealthy"),
  UUID_NOT_ALLOWED(false, "not listed in vastaitech.com/use-gpuuuid"),
  UUID_DENIED(false, "listed in vastaitech.com/nouse-gpuuuid"),
  CARD_NOT_ALLOWED(false, "its card is not listed in vastaitech.com/use-va"),
  CARD_DENIED(false, "its card is listed in vastaitech.com/nouse-va"),
  IN_USE(true, "already given to another container"),
  CARD_BUSY(true, "another die of its card is in use (hami.io/gpu-scheduler-policy: mutex)");

  private final boolean resolvable;
  private final String description;

  VastaiFitFailure(boolean resolvable, String description) {
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
