package io.github.volcanovgpu.plugin.allocate;

import io.github.volcanovgpu.contract.device.DeviceSlice;
import java.util.List;
import java.util.Objects;

/**
 * The devices the scheduler assigned one container, as the Allocate path found them.
 *
 * @param pod the pod, as read when the entry was chosen
 * @param container the device-requesting regular container the entry belongs to
 * @param devices the entry, in the scheduler's order
 */
public record ContainerAssignment(PodSnapshot pod, PodSnapshot.Container container, List<DeviceSlice> devices) {
  public ContainerAssignment {
    Objects.requireNonNull(pod, "pod");
    Objects.requireNonNull(container, "container");
    devices = List.copyOf(devices);
  }

  /** {@code <podUID>_<containerName>}: unique per container, the same on every Allocate of that container. */
  public String containerDirName() {
    String name = pod.uid() + "_" + container.name();
    if (pod.uid().isEmpty() || !name.matches("[A-Za-z0-9._-]+") || name.contains("..")) {
      throw new AssignmentMismatch("pod " + pod.key() + " (uid \"" + pod.uid() + "\", container \""
          + container.name() + "\") cannot name a per-container directory");
    }
    return name;
  }
}
