package io.github.volcanovgpu.plugin.allocate;

import static io.github.volcanovgpu.plugin.allocate.ContainerAssignment.bind;

import io.github.volcanovgpu.cdi.CdiException;
import io.github.volcanovgpu.cdi.CdiMount;
import io.github.volcanovgpu.cdi.QualifiedName;
import io.github.volcanovgpu.cdi.nvidia.VgpuSlice;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.env.CudaEnv;
import io.github.volcanovgpu.contract.env.LimitsFile;
import io.github.volcanovgpu.plugin.cdi.CdiSpecRegistry;
import io.github.volcanovgpu.plugin.cdi.DeviceListAnswer;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.Mount;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The envs and mounts of one container in hami-core mode, exactly as the existing plugin gives them (reference
 * volcano-vgpu.md §3.5), except that the shared-cache file name is per container ({@code <podUID>_<container>})
 * instead of random, and {@code GPU_CORE_UTILIZATION_POLICY} is wired to the configuration.
 *
 * <p>The device list follows the configured strategies (reference deviceplugin-cdi-mig.md §2.5, §4.3):
 * {@code envvar} gives {@code NVIDIA_VISIBLE_DEVICES}, {@code volume-mounts} the {@code /dev/null} mounts under
 * {@code /var/run/nvidia-container-devices}; with a CDI strategy the cards ({@code <kind>=<uuid>}) and a per-container
 * slice device ({@code <kind>=vgpu-<podUID>_<container>}, carrying the libvgpu envs and mounts) are made sure to be in
 * the CDI spec files first ({@link CdiSpecRegistry#ensure}), then named in {@code cdi_devices} ({@code cdi-cri}) and/or
 * a {@code cdi.k8s.io/volcano-vgpu_<podUID>} annotation ({@code cdi-annotations}). The libvgpu envs and mounts stay in
 * the response in every mode.
 */
final class ContainerResponses {
  static final String SM_LIMIT = CudaEnv.SM_LIMIT;
  static final String SHARED_CACHE = CudaEnv.SHARED_CACHE;
  static final String OVERSUBSCRIBE = CudaEnv.OVERSUBSCRIBE;
  static final String CORE_POLICY = CudaEnv.CORE_POLICY;
  /** A container env var of this name keeps {@code /etc/ld.so.preload} out (libvgpu not forced into every process). */
  static final String DISABLE_CONTROL = "CUDA_DISABLE_CONTROL";

  static final String LIBVGPU = "libvgpu.so";
  static final String PRELOAD = "ld.so.preload";
  static final String CONTAINER_LIBVGPU = "/usr/local/vgpu/libvgpu.so";
  static final String CONTAINER_PRELOAD = "/etc/ld.so.preload";
  static final String CONTAINER_CACHE_DIR = "/tmp/vgpu";
  static final String CONTAINER_LOCK_DIR = "/tmp/vgpulock";
  static final String SLICE_PREFIX = "vgpu-";

  private final AllocationSettings settings;

  ContainerResponses(AllocationSettings settings) {
    this.settings = settings;
  }

  ContainerAllocateResponse build(ContainerAssignment assignment) {
    PodSnapshot pod = assignment.pod();
    List<DeviceSlice> devices = assignment.devices();
    long mig = devices.stream().filter(ContainerResponses::isMig).count();
    if (mig > 0) {
      if (settings.migSlices() == null) {
        String first = devices.stream().filter(ContainerResponses::isMig).findFirst().orElseThrow().uuid();
        throw new AssignmentMismatch("pod " + pod.key() + " was assigned MIG slice " + first
            + "; MIG slices are not supported by this device plugin's hami-core Allocate (node operatingmode is"
            + " not mig)");
      }
      if (mig != devices.size()) {
        throw new AssignmentMismatch("pod " + pod.key() + " was assigned both MIG slices and whole-card"
            + " slices in one container (" + devices.stream().map(DeviceSlice::uuid).toList() + ")");
      }
      return buildMig(pod, devices);
    }
    String dirName = assignment.containerDirName();
    Path hostCacheDir = assignment.hostDirectory(settings.cacheRoot());
    ContainerAllocateResponse.Builder out = ContainerAllocateResponse.newBuilder();
    List<String> visible = new ArrayList<>();
    Map<String, String> libvgpu = new LinkedHashMap<>();
    for (int i = 0; i < devices.size(); i++) {
      DeviceSlice d = devices.get(i);
      visible.add(d.uuid());
      libvgpu.put(CudaEnv.perDevice(CudaEnv.MEMORY_LIMIT, i),
          Math.multiplyExact(d.memoryUnits(), (long) settings.gpuMemoryFactor()) + "m");
    }
    DeviceListAnswer answer = new DeviceListAnswer(settings.deviceList(), settings.cdi());
    answer.applyClassic(out, visible);
    libvgpu.put(SM_LIMIT, Integer.toString(devices.get(0).coresPercent()));
    libvgpu.put(SHARED_CACHE, CONTAINER_CACHE_DIR + "/" + dirName + ".cache");
    if (settings.deviceCoreScaling() > 1) {
      libvgpu.put(OVERSUBSCRIBE, "true");
    }
    if (settings.disableCoreLimit()) {
      libvgpu.put(CORE_POLICY, "disable");
    } else if (!settings.coreUtilizationPolicy().isEmpty()) {
      libvgpu.put(CORE_POLICY, settings.coreUtilizationPolicy());
    }
    out.putAllEnvs(libvgpu);
    Path limitsFile = assignment.writeLimits(settings.limitsRoot(), limits(devices, libvgpu.get(SHARED_CACHE)));
    List<Mount> mounts = new ArrayList<>();
    mounts.add(bind(CONTAINER_LIBVGPU, settings.hookPath().resolve(LIBVGPU), true));
    if (!assignment.container().envNames().contains(DISABLE_CONTROL)) {
      mounts.add(bind(CONTAINER_PRELOAD, settings.hookPath().resolve(PRELOAD), true));
    }
    mounts.add(bind(CONTAINER_CACHE_DIR, hostCacheDir, false));
    mounts.add(bind(CONTAINER_LOCK_DIR, settings.lockDir(), false));
    mounts.add(bind(LimitsFile.CONTAINER_PATH, limitsFile, true));
    out.addAllMounts(mounts);
    if (settings.deviceList().anyCdi()) {
      List<QualifiedName> names = cdiNames(pod, dirName, visible.stream().distinct().toList(), libvgpu, mounts);
      try {
        answer.applyCdi(out, names, pod.uid());
      } catch (CdiException e) {
        throw new CdiSpecException("CDI devices for pod " + pod.key() + " not ready: " + e.getMessage(), e);
      }
    }
    return out.build();
  }

  /**
   * The container's CUDA limits file: per card the UUID, memory and SM share the envs give (so envs, which libvgpu
   * only lets lower a limit, cannot lift them); a disabled core limit is written as none; the core policy follows
   * {@code GPU_CORE_UTILIZATION_POLICY} ({@code force}, else {@code default}).
   */
  private LimitsFile limits(List<DeviceSlice> devices, String region) {
    boolean noCoreLimit = settings.disableCoreLimit() || settings.coreUtilizationPolicy().equals("disable");
    List<LimitsFile.Device> out = new ArrayList<>(devices.size());
    for (DeviceSlice d : devices) {
      out.add(new LimitsFile.Device(d.uuid(), Math.multiplyExact(d.memoryUnits(), (long) settings.gpuMemoryFactor()),
          noCoreLimit ? 0 : Math.min(100, d.coresPercent()), ""));
    }
    return new LimitsFile(LimitsFile.Kind.CUDA, out, LimitsFile.DEFAULT_PRIORITY,
        settings.coreUtilizationPolicy().equals("force") ? LimitsFile.CorePolicy.FORCE : LimitsFile.CorePolicy.DEFAULT,
        settings.deviceCoreScaling() > 1, region);
  }

  private static boolean isMig(DeviceSlice d) {
    return !d.uuid().equals(d.physicalUuid());
  }

  /**
   * Dynamic MIG (reference volcano-vgpu.md §3.5, §3.7): each {@code UUID[group-pos]} resolved to its MIG device (the
   * card brought to the group's layout first when needed), then the MIG devices as the device list, CDI specs first.
   * None of the libvgpu envs or mounts: the MIG instance is the hardware limit, as in the existing plugin.
   */
  private ContainerAllocateResponse buildMig(PodSnapshot pod, List<DeviceSlice> devices) {
    MigSlices slices = java.util.Objects.requireNonNull(settings.migSlices());
    List<String> migUuids = new ArrayList<>();
    for (DeviceSlice d : devices) {
      migUuids.add(slices.resolve(d.uuid()));
    }
    ContainerAllocateResponse.Builder out = ContainerAllocateResponse.newBuilder();
    try {
      new DeviceListAnswer(settings.deviceList(), settings.cdi()).apply(out, migUuids, pod.uid());
    } catch (CdiException e) {
      throw new CdiSpecException("CDI devices for pod " + pod.key() + " not ready: " + e.getMessage(), e);
    }
    return out.build();
  }

  /**
   * Writes (if needed) the specs naming the cards and this container's slice set, then returns their names. Runs
   * before the response exists, so no answer ever names a device that is not in a spec file.
   */
  private List<QualifiedName> cdiNames(PodSnapshot pod, String dirName, List<String> uuids,
      Map<String, String> libvgpu, List<Mount> mounts) {
    CdiSpecRegistry registry = settings.cdi();
    if (registry == null) {
      throw new IllegalStateException("CDI strategies without a CDI spec registry");
    }
    List<CdiMount> cdiMounts = new ArrayList<>();
    for (Mount m : mounts) {
      cdiMounts.add(CdiMount.bind(m.getHostPath(), m.getContainerPath(), m.getReadOnly()));
    }
    try {
      return registry.ensure(uuids, new VgpuSlice(SLICE_PREFIX + dirName, libvgpu, cdiMounts));
    } catch (CdiException e) {
      throw new CdiSpecException("CDI devices for pod " + pod.key() + " not ready: " + e.getMessage(), e);
    }
  }

  /** The CDI specs naming this container's devices cannot be made ready (the Allocate fails, nothing is named). */
  static final class CdiSpecException extends PreparationException {
    private static final long serialVersionUID = 1L;

    CdiSpecException(String message, Throwable cause) {
      super(io.grpc.Status.Code.INTERNAL, message, cause);
    }
  }
}
