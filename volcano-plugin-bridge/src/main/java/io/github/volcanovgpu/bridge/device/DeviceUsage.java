package io.github.volcanovgpu.bridge.ledger;

import io.github.volcanovgpu.contract.device.RegisteredGpu;
import java.util.List;
import java.util.Objects;

/**
 * Immutable usage of one physical GPU: its registration plus the shares of the pods on it.
 *
 * @param usedShares number of tasks on the GPU (Volcano's UsedNum)
 * @param usedMemoryUnits memory in gpuMemoryFactor MiB units (UsedMem)
 * @param usedCoresPercent % of SMs (UsedCore)
 */
public record GpuUsage(
    RegisteredGpu gpu, int usedShares, long usedMemoryUnits, int usedCoresPercent, List<PodShare> pods) {
  public GpuUsage {
    Objects.requireNonNull(gpu, "gpu");
    pods = List.copyOf(pods);
  }

  public static GpuUsage idle(RegisteredGpu gpu) {
    return new GpuUsage(gpu, 0, 0, 0, List.of());
  }

  /** This usage with one more pod share. */
  public GpuUsage plus(PodShare share) {
    List<PodShare> more = new java.util.ArrayList<>(pods.size() + 1);
    more.addAll(pods);
    more.add(share);
    return new GpuUsage(
        gpu,
        usedShares + 1,
        usedMemoryUnits + share.memoryUnits(),
        usedCoresPercent + share.coresPercent(),
        more);
  }

  public long freeMemoryUnits() {
    return Math.max(0, gpu.memoryUnits() - usedMemoryUnits);
  }
}
