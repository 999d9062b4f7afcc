package io.github.volcanovgpu.plugin.allocate;

import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.StringJoiner;

/**
 * The envs and mounts of one container in hami-core mode, exactly as the existing plugin gives them (reference
 * volcano-vgpu.md §3.5), except that the shared-cache file name is per container ({@code <podUID>_<container>})
 * instead of random, and {@code GPU_CORE_UTILIZATION_POLICY} is wired to the configuration.
 */
final class ContainerResponses {
  static final String VISIBLE_DEVICES = "NVIDIA_VISIBLE_DEVICES";
  static final String MEMORY_LIMIT_PREFIX = "CUDA_DEVICE_MEMORY_LIMIT_";
  static final String SM_LIMIT = "CUDA_DEVICE_SM_LIMIT";
  static final String SHARED_CACHE = "CUDA_DEVICE_MEMORY_SHARED_CACHE";
  static final String OVERSUBSCRIBE = "CUDA_OVERSUBSCRIBE";
  static final String CORE_POLICY = "GPU_CORE_UTILIZATION_POLICY";
  /** A container env var of this name keeps {@code /etc/ld.so.preload} out (libvgpu not forced into every process). */
  static final String DISABLE_CONTROL = "CUDA_DISABLE_CONTROL";

  static final String LIBVGPU = "libvgpu.so";
  static final String PRELOAD = "ld.so.preload";
  static final String CONTAINER_LIBVGPU = "/usr/local/vgpu/libvgpu.so";
  static final String CONTAINER_PRELOAD = "/etc/ld.so.preload";
  static final String CONTAINER_CACHE_DIR = "/tmp/vgpu";
  static final String CONTAINER_LOCK_DIR = "/tmp/vgpulock";

  private final AllocationSettings settings;

  ContainerResponses(AllocationSettings settings) {
    this.settings = settings;
  }

  ContainerAllocateResponse build(PodSnapshot pod, PodSnapshot.Container container, List<DeviceSlice> devices) {
    for (DeviceSlice d : devices) {
      if (!d.uuid().equals(d.physicalUuid())) {
        throw new VgpuAllocationHandler.Mismatch("pod " + pod.key() + " was assigned MIG slice " + d.uuid()
            + "; MIG slices are not supported by this device plugin's hami-core Allocate");
      }
    }
    String dirName = cacheDirName(pod, container);
    Path hostCacheDir = createCacheDir(pod, dirName);
    ContainerAllocateResponse.Builder out = ContainerAllocateResponse.newBuilder();
    StringJoiner visible = new StringJoiner(",");
    for (int i = 0; i < devices.size(); i++) {
      DeviceSlice d = devices.get(i);
      visible.add(d.uuid());
      out.putEnvs(MEMORY_LIMIT_PREFIX + i, Math.multiplyExact(d.memoryUnits(), (long) settings.gpuMemoryFactor()) + "m");
    }
    out.putEnvs(VISIBLE_DEVICES, visible.toString());
    out.putEnvs(SM_LIMIT, Integer.toString(devices.get(0).coresPercent()));
    out.putEnvs(SHARED_CACHE, CONTAINER_CACHE_DIR + "/" + dirName + ".cache");
    if (settings.deviceCoreScaling() > 1) {
      out.putEnvs(OVERSUBSCRIBE, "true");
    }
    if (settings.disableCoreLimit()) {
      out.putEnvs(CORE_POLICY, "disable");
    } else if (!settings.coreUtilizationPolicy().isEmpty()) {
      out.putEnvs(CORE_POLICY, settings.coreUtilizationPolicy());
    }
    out.addMounts(mount(CONTAINER_LIBVGPU, settings.hookPath().resolve(LIBVGPU), true));
    if (!container.envNames().contains(DISABLE_CONTROL)) {
      out.addMounts(mount(CONTAINER_PRELOAD, settings.hookPath().resolve(PRELOAD), true));
    }
    out.addMounts(mount(CONTAINER_CACHE_DIR, hostCacheDir, false));
    out.addMounts(mount(CONTAINER_LOCK_DIR, settings.lockDir(), false));
    return out.build();
  }

  /** {@code <podUID>_<containerName>}: unique per container, the same on every Allocate of that container. */
  static String cacheDirName(PodSnapshot pod, PodSnapshot.Container container) {
    String name = pod.uid() + "_" + container.name();
    if (pod.uid().isEmpty() || !name.matches("[A-Za-z0-9._-]+") || name.contains("..")) {
      throw new VgpuAllocationHandler.Mismatch("pod " + pod.key() + " (uid \"" + pod.uid() + "\", container \""
          + container.name() + "\") cannot name a cache directory");
    }
    return name;
  }

  /** Creates (never deletes or empties) the container's host cache directory, mode 0777 like the existing plugin. */
  private Path createCacheDir(PodSnapshot pod, String dirName) {
    Path dir = settings.cacheRoot().resolve(dirName);
    try {
      Files.createDirectories(dir);
      try {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
      } catch (UnsupportedOperationException | IOException e) {
        // not fatal: the container may still write as the same user
      }
      return dir;
    } catch (IOException e) {
      throw new HostDirectoryException("cannot create cache directory " + dir + " for pod " + pod.key() + ": "
          + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  private static Mount mount(String containerPath, Path hostPath, boolean readOnly) {
    return Mount.newBuilder()
        .setContainerPath(containerPath)
        .setHostPath(hostPath.toString())
        .setReadOnly(readOnly)
        .build();
  }

  /** The host cache directory cannot be created. */
  static final class HostDirectoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HostDirectoryException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
