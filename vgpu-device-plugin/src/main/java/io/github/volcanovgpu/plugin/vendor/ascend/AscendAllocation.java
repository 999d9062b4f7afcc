package io.github.volcanovgpu.plugin.vendor.ascend;

import static io.github.volcanovgpu.plugin.allocate.ContainerAssignment.bind;

import io.github.volcanovgpu.contract.annotation.AnnotationFormatException;
import io.github.volcanovgpu.contract.annotation.AscendAnnotations;
import io.github.volcanovgpu.contract.annotation.AscendRuntimeInfo;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.env.LimitsFile;
import io.github.volcanovgpu.contract.env.NpuEnv;
import io.github.volcanovgpu.plugin.allocate.AllocationKind;
import io.github.volcanovgpu.plugin.allocate.AssignmentAnnotations;
import io.github.volcanovgpu.plugin.allocate.AssignmentMismatch;
import io.github.volcanovgpu.plugin.allocate.ContainerAssignment;
import io.github.volcanovgpu.plugin.allocate.PodSnapshot;
import io.github.volcanovgpu.plugin.allocate.ResponseContributor;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Allocate of one Ascend chip ({@code huawei.com/<CommonWord>}), as HAMi's ascend-device-plugin answers it: the
 * pod's entry of {@code hami.io/<CommonWord>-devices-to-allocate} and its runtime info {@code huawei.com/<CommonWord>}
 * give the container its NPUs; template pods get {@code ASCEND_VNPU_SPECS}, hami-core pods the limiter's envs,
 * mounts and limits file. A 910C SuperPod container asking for one NPU holds a module pair (two NPUs).
 */
final class AscendAllocation implements AllocationKind {
  private final AscendChip chip;
  private final AscendSettings settings;
  private final AssignmentAnnotations keys;
  private final String runtimeInfoKey;
  private final List<ResponseContributor> template;
  private final List<ResponseContributor> hamiCore;
  private final boolean alias;

  /**
   * @param alias whether the kubelet also allocates the chip as {@link AscendAnnotations#ALIAS_COUNT} (the HAMi
   *     release notes' name, served on nodes with one chip)
   */
  AscendAllocation(AscendChip chip, AscendSettings settings, boolean alias) {
    this.chip = Objects.requireNonNull(chip, "chip");
    this.alias = alias;
    this.settings = Objects.requireNonNull(settings, "settings");
    this.keys = AssignmentAnnotations.hami(chip.commonWord());
    this.runtimeInfoKey = AscendAnnotations.runtimeInfo(chip.commonWord());
    this.template = List.of(this::visibleDevices, this::templateSpec);
    this.hamiCore = List.of(this::visibleDevices, this::limiter);
  }

  /** How a pod's NPUs are shared. */
  enum Mode {
    /** Soft sharing under the limiter (hami-vnpu-core). */
    HAMI_CORE,
    /** A hard-split vNPU of a template, or whole NPUs. */
    TEMPLATE
  }

  @Override
  public AssignmentAnnotations annotations() {
    return keys;
  }

  @Override
  public String countResource() {
    return chip.config().resourceName();
  }

  @Override
  public Set<String> countAliases() {
    return alias ? Set.of(AscendAnnotations.ALIAS_COUNT) : Set.of();
  }

  /** HAMi's rule: the chip's count resource (or its alias) with a limit above 0. */
  @Override
  public boolean requestsDevices(PodSnapshot.Container container) {
    return container.hasPositiveLimit(countResource())
        || (alias && container.hasPositiveLimit(AscendAnnotations.ALIAS_COUNT));
  }

  /** 910C SuperPod: a container holds whole modules, so an odd request is rounded up to the module pair. */
  @Override
  public int entrySize(int kubeletIds) {
    return chip.modulePairs() ? kubeletIds + kubeletIds % 2 : kubeletIds;
  }

  @Override
  public ContainerAllocateResponse answer(ContainerAssignment a) {
    Mode mode = mode(a.pod());
    ContainerAllocateResponse.Builder out = ContainerAllocateResponse.newBuilder();
    for (ResponseContributor c : mode == Mode.HAMI_CORE ? hamiCore : template) {
      c.contribute(a, out);
    }
    return out.build();
  }

  /**
   * The pod's {@code huawei.com/vnpu-mode} ({@code hami-core} or {@code template}), else the node's mode. A hami-core
   * pod on a node without the limiter is refused: nothing would enforce its share.
   */
  Mode mode(PodSnapshot pod) {
    String asked = pod.annotation(AscendAnnotations.VNPU_MODE).trim();
    if (asked.isEmpty()) {
      return chip.hamiCore() ? Mode.HAMI_CORE : Mode.TEMPLATE;
    }
    if (asked.equals(AscendAnnotations.VNPU_MODE_TEMPLATE)) {
      return Mode.TEMPLATE;
    }
    if (!asked.equals(AscendAnnotations.VNPU_MODE_HAMI_CORE)) {
      throw new AssignmentMismatch("pod " + pod.key() + ": " + AscendAnnotations.VNPU_MODE + "=\"" + asked
          + "\" is neither " + AscendAnnotations.VNPU_MODE_HAMI_CORE + " nor " + AscendAnnotations.VNPU_MODE_TEMPLATE);
    }
    if (!chip.hamiCore()) {
      throw new AssignmentMismatch("pod " + pod.key() + " asks for " + AscendAnnotations.VNPU_MODE + "="
          + AscendAnnotations.VNPU_MODE_HAMI_CORE + " but this node does not run hami-vnpu-core for "
          + chip.commonWord() + " (node config \"hami-vnpu-core\" or vnpus.hamiVnpuCore)");
    }
    return Mode.HAMI_CORE;
  }

  /** {@code ASCEND_VISIBLE_DEVICES}: the entry's NPUs by physical id, in the scheduler's order. */
  private void visibleDevices(ContainerAssignment a, ContainerAllocateResponse.Builder out) {
    out.putEnvs(NpuEnv.VISIBLE_DEVICES, npus(a).stream().map(n -> Integer.toString(n.phyId()))
        .collect(Collectors.joining(",")));
  }

  /** Template mode: {@code ASCEND_VNPU_SPECS} = the first template the runtime info names; none for whole NPUs. */
  private void templateSpec(ContainerAssignment a, ContainerAllocateResponse.Builder out) {
    for (AscendRuntimeInfo info : runtimeInfo(a)) {
      if (!info.template().isEmpty()) {
        if (chip.config().template(info.template()).isEmpty()) {
          throw new AssignmentMismatch("pod " + a.pod().key() + ": " + runtimeInfoKey + " names template \""
              + info.template() + "\" for " + info.uuid() + ", which " + chip.commonWord() + " does not have ("
              + chip.config().templates().stream().map(t -> t.name()).toList() + ")");
        }
        out.putEnvs(NpuEnv.VNPU_SPECS, info.template());
        return;
      }
    }
  }

  /**
   * hami-core: the limiter's envs (HAMi's names, which libvgpu's NPU front end reads), the container's limits file
   * (read-only at {@link LimitsFile#CONTAINER_PATH}), and the mounts of HAMi's layout: the limiter directory and
   * {@code ld.so.preload} (read-only), the node's registries and the container's own directory (read-write), the
   * driver bits (read-only).
   */
  private void limiter(ContainerAssignment a, ContainerAllocateResponse.Builder out) {
    List<Npu> npus = npus(a);
    List<AscendRuntimeInfo> infos = runtimeInfo(a);
    List<LimitsFile.Device> limits = new ArrayList<>();
    for (int i = 0; i < npus.size(); i++) {
      DeviceSlice slice = a.devices().get(i);
      AscendRuntimeInfo info = infos.get(i);
      long memory = info.memoryMib() > 0 ? info.memoryMib() : slice.memoryUnits();
      int core = info.corePercent() > 0 ? info.corePercent() : Math.min(100, slice.coresPercent());
      limits.add(new LimitsFile.Device(Integer.toString(npus.get(i).phyId()), memory, core,
          AscendSettings.globalRegistry(npus.get(i).phyId())));
    }
    LimitsFile.Device first = limits.get(0);
    if (first.memoryMib() > 0) {
      out.putEnvs(NpuEnv.MEM_QUOTA, Long.toString(first.memoryMib()));
    }
    if (first.corePercent() > 0) {
      out.putEnvs(NpuEnv.PRIORITY, Integer.toString(first.corePercent()));
      out.putEnvs(NpuEnv.CORE_PERCENT, Integer.toString(first.corePercent()));
    }
    out.putEnvs(NpuEnv.GLOBAL_SHM_PATH, first.scheduler());
    for (int i = 1; i < limits.size(); i++) {
      out.putEnvs(NpuEnv.perDevice(NpuEnv.GLOBAL_SHM_PATH, i), limits.get(i).scheduler());
    }
    out.putEnvs(NpuEnv.LOCAL_SHM_PATH, AscendSettings.CONTAINER_LOCAL_SHM);
    Path local = a.hostDirectory(settings.containersDir());
    Path limitsFile = a.writeLimits(settings.limitsDir(), LimitsFile.npu(limits, AscendSettings.CONTAINER_LOCAL_SHM));
    out.addMounts(bind(AscendSettings.CONTAINER_HOOK_DIR, settings.hookPath(), true));
    out.addMounts(bind(AscendSettings.CONTAINER_PRELOAD, settings.hookPath().resolve(AscendSettings.PRELOAD), true));
    out.addMounts(bind(LimitsFile.CONTAINER_PATH, limitsFile, true));
    out.addMounts(bind(AscendSettings.CONTAINER_SHARED_REGION, settings.sharedRegionPath(), false));
    out.addMounts(bind(AscendSettings.CONTAINER_LOCAL_DIR, local, false));
    for (String driver : settings.driverMounts()) {
      out.addMounts(bind(driver, Path.of(driver), true));
    }
  }

  /** The entry's NPUs; a device that is not an NPU of this chip on this node is refused. */
  private List<Npu> npus(ContainerAssignment a) {
    List<Npu> out = new ArrayList<>();
    for (DeviceSlice slice : a.devices()) {
      out.add(chip.npu(slice.uuid()).orElseThrow(() -> new AssignmentMismatch("pod " + a.pod().key()
          + " was assigned " + slice.uuid() + ", which is not a " + chip.commonWord() + " NPU of this node")));
    }
    return out;
  }

  /** The runtime info of each of the entry's NPUs, in entry order; a missing or malformed annotation is refused. */
  private List<AscendRuntimeInfo> runtimeInfo(ContainerAssignment a) {
    String value = a.pod().annotation(runtimeInfoKey);
    if (value.isBlank()) {
      throw new AssignmentMismatch("pod " + a.pod().key() + " has no " + runtimeInfoKey
          + " annotation (the scheduler writes it with the devices)");
    }
    Map<String, AscendRuntimeInfo> byUuid = new HashMap<>();
    try {
      for (AscendRuntimeInfo info : AscendRuntimeInfo.decode(runtimeInfoKey, value)) {
        byUuid.putIfAbsent(info.uuid(), info);
      }
    } catch (AnnotationFormatException e) {
      throw new AssignmentMismatch("pod " + a.pod().key() + ": " + e.getMessage());
    }
    List<AscendRuntimeInfo> out = new ArrayList<>();
    for (DeviceSlice slice : a.devices()) {
      AscendRuntimeInfo info = byUuid.get(slice.uuid());
      if (info == null) {
        throw new AssignmentMismatch("pod " + a.pod().key() + ": " + runtimeInfoKey + " has no entry for "
            + slice.uuid() + " (it lists " + byUuid.keySet() + ")");
      }
      out.add(info);
    }
    return out;
  }

}
