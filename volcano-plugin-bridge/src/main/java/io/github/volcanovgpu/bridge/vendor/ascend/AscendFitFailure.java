package io.github.volcanovgpu.bridge.vendor.ascend;

import io.github.volcanovgpu.bridge.device.FitFailure;

/** Why an Ascend NPU cannot take a container, in check order. */
enum AscendFitFailure implements FitFailure {
  UNHEALTHY(true, "NPU reported unhealthy"),
  UUID_NOT_ALLOWED(false, "not listed in hami.io/use-<chip>-uuid"),
  UUID_DENIED(false, "listed in hami.io/no-use-<chip>-uuid"),
  SHARES_EXHAUSTED(true, "share count reached"),
  INSUFFICIENT_MEMORY(true, "not enough free memory"),
  CARD_MEMORY_TOO_SMALL(false, "request exceeds the NPU's memory"),
  INSUFFICIENT_CORES(true, "not enough free compute"),
  EXCLUSIVE_NEEDS_IDLE_CARD(true, "100% compute needs an idle NPU"),
  CARD_FULLY_CORED(true, "NPU's compute fully allocated; a 0-compute task cannot share it"),
  MODULE_PARTNER_BUSY(true, "its 910C module partner cannot take the container too (SuperPod allocates module pairs)");

  private final boolean resolvable;
  private final String description;

  AscendFitFailure(boolean resolvable, String description) {
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
