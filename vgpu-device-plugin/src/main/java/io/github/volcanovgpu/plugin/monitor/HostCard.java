package io.github.volcanovgpu.plugin.monitor;

/** One card as the driver sees it: a row of the host metrics. */
public record HostCard(int deviceIndex, String deviceUuid, String deviceType, long memoryUsedBytes,
    int utilizationPercent) {}
