package io.github.volcanovgpu.plugin.monitor;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One read of the node: the usage, and how well it could be read.
 *
 * @param unreadable one line per region directory that could not be read
 * @param kubeletUp whether the pod-resources API answered (when not, no container is resolved)
 * @param driverUp whether the GPU backend answered (when not, host rows are idle and no process is checked)
 */
public record MonitorReading(NodeUsage usage, List<String> unreadable, boolean kubeletUp, boolean driverUp,
    Instant at) {
  public MonitorReading {
    Objects.requireNonNull(usage, "usage");
    unreadable = List.copyOf(unreadable);
    Objects.requireNonNull(at, "at");
  }
}
