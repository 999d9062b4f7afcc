package io.github.volcanovgpu.plugin.monitor;

import java.util.Objects;

/**
 * One container's use of one card: a row of the per-container metrics.
 *
 * @param vdeviceIndex the container's logical device index
 * @param memoryUsedBytes what libvgpu counts for the container's live processes on this device
 * @param memoryLimitBytes the share, 0 = no limit
 * @param utilizationPercent the SM share the driver saw the container's processes use (sum, at most 100)
 * @param lastKernelEpochSeconds the container's last kernel launch, 0 = none yet
 */
public record ContainerCard(String namespace, String pod, String podUid, String container, int vdeviceIndex,
    String deviceUuid, long memoryUsedBytes, long memoryLimitBytes, int utilizationPercent,
    long lastKernelEpochSeconds) {
  public ContainerCard {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(pod, "pod");
    Objects.requireNonNull(podUid, "podUid");
    Objects.requireNonNull(container, "container");
    Objects.requireNonNull(deviceUuid, "deviceUuid");
  }
}
