package io.github.volcanovgpu.plugin.allocate;

import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.env.LimitsFile;
import io.github.volcanovgpu.proto.kubelet.v1beta1.Mount;
import io.grpc.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
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
  /**
   * Beside the limits file, {@code <namespace>/<name>} of the pod: lets the node monitor tell apart two pods whose
   * containers have the same name on the same cards (the kubelet's pod-resources API names pods, not UIDs). Not
   * mounted into the container.
   */
  public static final String POD_FILE = "pod";

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

  /**
   * Creates (never deletes or empties) the container's host directory {@code <parent>/<podUID>_<container>}, mode
   * 0777 as HAMi's and Volcano's plugins make it, so the container's processes can write whatever their user.
   *
   * @throws PreparationException (INTERNAL) naming the directory and the pod when it cannot be created
   */
  public Path hostDirectory(Path parent) {
    Path dir = parent.resolve(containerDirName());
    try {
      Files.createDirectories(dir);
      try {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
      } catch (UnsupportedOperationException | IOException e) {
        // not fatal: the container may still write as the same user
      }
      return dir;
    } catch (IOException e) {
      throw new PreparationException(Status.Code.INTERNAL, "cannot create " + dir + " for pod " + pod.key() + ": "
          + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes the container's limits file to {@code <parent>/<podUID>_<container>/limits}, atomically (a temporary
   * file, then a rename: libvgpu never reads half a file), and returns it; then the {@link #POD_FILE} beside it. Its directory is not mounted into the
   * container; the file is, read-only at {@link LimitsFile#CONTAINER_PATH}.
   *
   * @throws PreparationException (INTERNAL) naming the file and the pod when it cannot be written
   */
  public Path writeLimits(Path parent, LimitsFile limits) {
    Path dir = hostDirectory(parent);
    Path file = dir.resolve("limits");
    Path tmp = dir.resolve(".limits.tmp");
    try {
      Files.writeString(tmp, limits.format(), StandardCharsets.US_ASCII);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Files.writeString(tmp, pod.key() + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, dir.resolve(POD_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new PreparationException(Status.Code.INTERNAL, "cannot write the limits file " + file + " for pod "
          + pod.key() + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /** A bind mount of the answer: {@code hostPath} at {@code containerPath}. */
  public static Mount bind(String containerPath, Path hostPath, boolean readOnly) {
    return Mount.newBuilder().setContainerPath(containerPath).setHostPath(hostPath.toString()).setReadOnly(readOnly)
        .build();
  }
}
