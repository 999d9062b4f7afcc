package io.github.volcanovgpu.bridge.device;

import java.util.List;

/**
 * A pod's device demand: one entry per device-requesting regular container, in spec order (entry i is the i-th
 * requesting container, as the assignment annotation is indexed).
 */
public record PodDemand(List<ContainerDemand> containers) {
  public PodDemand {
    containers = List.copyOf(containers);
    if (containers.isEmpty()) {
      throw new IllegalArgumentException("a demand has at least one container");
    }
  }
}
