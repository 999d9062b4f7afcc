package io.github.volcanovgpu.bridge.ledger;

import io.github.volcanovgpu.contract.device.GpuMode;
import java.util.List;
import java.util.Objects;

/** Immutable usage of every GPU of one node, in registration order (index i = GPU i). */
public record NodeUsage(String node, GpuMode mode, List<GpuUsage> gpus) {
  public NodeUsage {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(mode, "mode");
    gpus = List.copyOf(gpus);
  }
}
