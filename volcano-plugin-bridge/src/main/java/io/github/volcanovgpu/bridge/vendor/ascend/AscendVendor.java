package io.github.volcanovgpu.bridge.vendor.ascend;

import io.github.volcanovgpu.bridge.device.Allocation;
import io.github.volcanovgpu.bridge.device.AssignmentKeys;
import io.github.volcanovgpu.bridge.device.ContainerDemand;
import io.github.volcanovgpu.bridge.device.DeviceVendor;
import io.github.volcanovgpu.bridge.device.FitResult;
import io.github.volcanovgpu.bridge.device.InvalidDemandException;
import io.github.volcanovgpu.bridge.device.Inventory;
import io.github.volcanovgpu.bridge.device.NodeUsage;
import io.github.volcanovgpu.bridge.device.PodDemand;
import io.github.volcanovgpu.bridge.device.RequestShape;
import io.github.volcanovgpu.bridge.device.Requests;
import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.Quantities;
import io.github.volcanovgpu.bridge.vendor.hami.CommaList;
import io.github.volcanovgpu.bridge.vendor.hami.HamiAssignment;
import io.github.volcanovgpu.contract.annotation.AnnotationFormatException;
import io.github.volcanovgpu.contract.annotation.AscendAnnotations;
import io.github.volcanovgpu.contract.annotation.AscendRuntimeInfo;
import io.github.volcanovgpu.contract.annotation.HamiAnnotations;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfo;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfoCodec;
import io.github.volcanovgpu.contract.config.VnpuChipConfig;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.PodDevices;
import io.github.volcanovgpu.contract.device.SharingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One Ascend chip as a device kind (HAMi's {@code ascend.InitDevices} makes one per configured chip; so does Volcano
 * v1.16's {@code devices/ascend/hami}), with both sharing modes:
 *
 * <ul>
 *   <li><b>hami-core</b> soft sharing: memory as requested, compute {@code -core} percent summing to at most 100
 *       per NPU (100 = exclusive), enforced in the container by libvgpu's Ascend limiter;
 *   <li><b>template</b> hard-split vNPUs: memory rounded up to the chip's smallest template that holds it (or the
 *       whole NPU), multi-NPU requests take whole NPUs.
 * </ul>
 *
 * <p>A node's mode is the cluster default {@code vnpus.hamiVnpuCore} unless its annotation {@code hami-vnpu-core}
 * says otherwise ({@code "true"} or anything else). A pod without {@code huawei.com/vnpu-mode} follows its node's
 * mode (HAMi v2.10), unless it asks {@code -core} compute, which only hami-core gives (then it is pinned there, as
 * HAMi infers); {@code huawei.com/vnpu-mode: hami-core} or {@code template} pins it. The seed's alias names
 * {@code hami.io/vnpu-core} / {@code -memory} are read for the chip {@link AscendAliases} resolves them to.
 *
 * <p>910C with {@code superPod}: a container asking 1 NPU gets a module pair (2), odd counts above 1 are refused,
 * and multi-NPU requests take whole modules only. Chips of the 910 family whose NPUs all carry a {@code NetworkID}
 * fill multi-NPU requests from the largest network group first and score 10 x (max NPUs in one network / NPUs).
 *
 * <p>Annotations as Volcano v1.16 and HAMi write them, so HAMi's ascend-device-plugin and ours are interchangeable:
 * {@code hami.io/<CommonWord>-devices-to-allocate} / {@code -allocated} (HAMi framing), {@code huawei.com/<CommonWord>}
 * runtime info (hami-core: UUID, memory, core; template: UUID, temp, memory — HAMi v2.10's form), {@code predicate-time}
 * and HAMi's common keys.
 */
public final class AscendVendor implements DeviceVendor<AscendNpu> {
  /** The device count above which no node could ever have that many NPUs. */
  static final int MAX_NPUS = 64;

  private final VnpuChipConfig chip;
  private final boolean hamiCoreDefault;
  private final AscendAliases aliases;
  private final HamiAssignment assignment;
  private final Set<String> resources;
  /** {@code hami.io/use-<chip>-uuid} and {@code hami.io/no-use-<chip>-uuid}, built once. */
  final String useUuidKey;
  final String noUseUuidKey;

  /**
   * @param hamiCoreDefault {@code vnpus.hamiVnpuCore}: whether nodes without the {@code hami-vnpu-core} annotation
   *     run hami-core
   * @param aliases the resolver of the seed's alias names, shared by every configured chip
   */
  public AscendVendor(VnpuChipConfig chip, boolean hamiCoreDefault, AscendAliases aliases) {
    this.chip = Objects.requireNonNull(chip, "chip");
    this.hamiCoreDefault = hamiCoreDefault;
    this.aliases = Objects.requireNonNull(aliases, "aliases");
    this.assignment = new HamiAssignment(chip.commonWord(), List.of(HamiAnnotations.PREDICATE_TIME,
        AscendAnnotations.runtimeInfo(chip.commonWord())));
    Set<String> r = new LinkedHashSet<>(List.of(chip.resourceName(), chip.resourceMemoryName(),
        chip.resourceCoreName(), AscendAnnotations.ALIAS_COUNT, AscendAnnotations.ALIAS_MEMORY));
    this.resources = Set.copyOf(r);
    this.useUuidKey = HamiAnnotations.useUuid(chip.commonWord());
    this.noUseUuidKey = HamiAnnotations.noUseUuid(chip.commonWord());
  }

  public VnpuChipConfig chip() {
    return chip;
  }

  @Override
  public String deviceName() {
    return chip.commonWord();
  }

  @Override
  public String unit() {
    return "NPU";
  }

  @Override
  public String metricFamily() {
    return "vnpu";
  }

  @Override
  public RequestShape requestShape() {
    return new RequestShape(chip.resourceName(), Optional.of(chip.resourceMemoryName()), Optional.empty(),
        Optional.of(chip.resourceCoreName()), 1, 0, 0, false, Set.of());
  }

  @Override
  public Set<String> resourceNames() {
    return resources;
  }

  @Override
  public AssignmentKeys assignmentKeys() {
    return assignment.keys();
  }

  @Override
  public String nodeLockName() {
    return HamiAnnotations.NODE_LOCK;
  }

  // ---------------------------------------------------------------- demand

  /** The names a container's request is read under: the chip's, or the seed's aliases when they mean this chip. */
  private record Names(String count, String memory, String cores, boolean alias) {}

  @Override
  public Optional<PodDemand> demand(PodView pod) {
    boolean mine = aliases.owner(pod).map(chip.commonWord()::equals).orElse(false);
    Mode pinned = pinnedMode(pod);
    List<ContainerDemand> demands = null;
    for (ContainerView c : pod.containers()) {
      ContainerDemand d = containerDemand(pod, c, mine, pinned);
      if (d != null) {
        if (demands == null) {
          demands = new ArrayList<>(2);
        }
        demands.add(d);
      }
    }
    return demands == null ? Optional.empty() : Optional.of(new PodDemand(demands));
  }

  private @Nullable ContainerDemand containerDemand(PodView pod, ContainerView c, boolean aliasMine, Mode pinned) {
    boolean canonical = c.limits().containsKey(chip.resourceName()) || c.limits().containsKey(chip.resourceMemoryName())
        || c.limits().containsKey(chip.resourceCoreName()) || c.requests().containsKey(chip.resourceMemoryName())
        || c.requests().containsKey(chip.resourceCoreName());
    boolean alias = aliasMine && AscendAliases.names(c);
    if (canonical && alias) {
      throw new InvalidDemandException("pod " + pod.key() + " container " + c.name() + " asks " + chip.commonWord()
          + " both as " + chip.resourceName() + " and as " + AscendAnnotations.ALIAS_COUNT + "; use one of them");
    }
    if (!canonical && !alias) {
      return null;
    }
    Names n = alias
        ? new Names(AscendAnnotations.ALIAS_COUNT, AscendAnnotations.ALIAS_MEMORY, chip.resourceCoreName(), true)
        : new Names(chip.resourceName(), chip.resourceMemoryName(), chip.resourceCoreName(), false);
    Long countLimit = Requests.quantity(pod, c, c.limits(), n.count());
    Long memory = Requests.limitOrRequest(pod, c, n.memory());
    Long cores = Requests.limitOrRequest(pod, c, n.cores());
    long count = countLimit != null ? countLimit : 1; // memory or compute alone: one NPU (HAMi's rule)
    if (count == 0) {
      return null;
    }
    if (count > MAX_NPUS) {
      throw Requests.invalid(pod, c, n.count(), count + " is a number of NPUs, and no node has that many"
          + (n.alias() ? "; to ask for " + Math.min(count, 100) + "% of one NPU's compute use "
              + chip.resourceCoreName() + ": " + Math.min(count, 100) : ""));
    }
    long coresPercent = Requests.orZero(cores);
    if (coresPercent > 100) {
      throw Requests.invalid(pod, c, n.cores(), coresPercent + " is above 100% of an NPU");
    }
    if (coresPercent > 0 && pinned == Mode.TEMPLATE) {
      throw Requests.invalid(pod, c, n.cores(), "compute shares are only supported in hami-core (soft split) mode, "
          + "and the pod asks " + AscendAnnotations.VNPU_MODE + ": " + AscendAnnotations.VNPU_MODE_TEMPLATE);
    }
    long memoryMib = Requests.orZero(memory);
    if (memoryMib > chip.memoryCapacityMib()) {
      throw Requests.invalid(pod, c, n.memory(), memoryMib + " MiB is more than a whole " + chip.commonWord() + " ("
          + chip.memoryCapacityMib() + " MiB)");
    }
    int requested = (int) count;
    int packaged = requested;
    if (chip.superPod()) {
      if (requested == 1) {
        packaged = 2;
      } else if (requested % 2 == 1) {
        throw Requests.invalid(pod, c, n.count(), chip.commonWord() + " device request must be 1 or 2*n, got "
            + requested + " (on a SuperPod NPUs come in module pairs)");
      }
    }
    int percent = memoryMib == 0 ? 100 : ContainerDemand.PERCENT_NOT_GIVEN;
    return new ContainerDemand(c.name(), packaged, memoryMib, percent, (int) coresPercent, requested);
  }

  /**
   * A template-pinned pod ({@code huawei.com/vnpu-mode: template}) gets its memory written rounded up to the
   * template the device plugin will cut, as HAMi's webhook does (the pod then shows what it holds); several NPUs with
   * a partial memory are refused, since templates come only one per NPU. A pod that follows its node's mode keeps
   * its request (on a hami-core node it gets exactly that).
   */
  @Override
  public Map<String, String> admissionRewrites(PodView pod, ContainerView c) {
    if (pinnedMode(pod) != Mode.TEMPLATE) {
      return Map.of();
    }
    boolean alias = !has(c, chip.resourceName()) && !has(c, chip.resourceMemoryName()) && AscendAliases.names(c)
        && aliases.owner(pod).map(chip.commonWord()::equals).orElse(false);
    String memoryName = alias ? AscendAnnotations.ALIAS_MEMORY : chip.resourceMemoryName();
    String countName = alias ? AscendAnnotations.ALIAS_COUNT : chip.resourceName();
    Long memory = Requests.limitOrRequest(pod, c, memoryName);
    if (memory == null || memory == 0 || (!alias && !has(c, countName) && !has(c, memoryName))) {
      return Map.of();
    }
    Optional<VnpuChipConfig.TrimmedMemory> trimmed = chip.trim(memory);
    if (trimmed.isEmpty()) {
      return Map.of(); // more than a whole NPU: the demand check refuses it with its reason
    }
    long count = Requests.orZero(Requests.quantity(pod, c, c.limits(), countName));
    boolean modulePair = chip.superPod() && count == 1;
    if (count > 1 && !modulePair && trimmed.get().memoryMib() != chip.memoryAllocatableMib()) {
      throw Requests.invalid(pod, c, memoryName, memory + " MiB on each of " + count + " NPUs: vNPU not supported "
          + "for multiple devices (template mode gives several " + chip.commonWord() + " NPUs only whole; ask "
          + chip.memoryAllocatableMib() + " MiB or leave " + memoryName + " out)");
    }
    if (trimmed.get().memoryMib() == memory) {
      return Map.of();
    }
    return Map.of(memoryName, Long.toString(trimmed.get().memoryMib()));
  }

  private static boolean has(ContainerView c, String name) {
    return c.limits().containsKey(name) || c.requests().containsKey(name);
  }

  /**
   * hami-core shares hold what they ask; anything that may land on a template node (pinned there, or following its
   * node) may hold the template the request rounds up to, and a quota counts that.
   */
  @Override
  public long heldMemoryUnits(PodView pod, ContainerDemand c, long largestDeviceMemory) {
    long asked = c.memoryOn(largestDeviceMemory > 0 ? largestDeviceMemory : chip.memoryAllocatableMib());
    Mode pinned = pinnedMode(pod);
    if (pinned == Mode.HAMI_CORE || (pinned == Mode.FOLLOW_NODE && c.coresPercent() > 0)) {
      return asked;
    }
    return chip.trim(asked).map(VnpuChipConfig.TrimmedMemory::memoryMib).filter(m -> m > asked).orElse(asked);
  }

  /** How the pod asks to be shared. */
  enum Mode { FOLLOW_NODE, HAMI_CORE, TEMPLATE }

  /**
   * {@code huawei.com/vnpu-mode} pins the pod; without it, a pod asking {@code -core} compute is pinned to hami-core
   * (the only mode that gives compute shares), any other follows its node.
   */
  private Mode pinnedMode(PodView pod) {
    String value = pod.annotations().get(AscendAnnotations.VNPU_MODE);
    if (value == null || value.isBlank()) {
      return Mode.FOLLOW_NODE;
    }
    return switch (value.trim()) {
      case AscendAnnotations.VNPU_MODE_HAMI_CORE -> Mode.HAMI_CORE;
      case AscendAnnotations.VNPU_MODE_TEMPLATE -> Mode.TEMPLATE;
      default -> throw new InvalidDemandException("pod " + pod.key() + ": annotation " + AscendAnnotations.VNPU_MODE
          + ": \"" + value + "\" is not a mode (expected " + AscendAnnotations.VNPU_MODE_HAMI_CORE + " or "
          + AscendAnnotations.VNPU_MODE_TEMPLATE + ")");
    };
  }

  Mode effectivePin(PodView pod, PodDemand demand) {
    Mode pinned = pinnedMode(pod);
    if (pinned == Mode.FOLLOW_NODE) {
      for (ContainerDemand c : demand.containers()) {
        if (c.coresPercent() > 0) {
          return Mode.HAMI_CORE;
        }
      }
    }
    return pinned;
  }

  // ---------------------------------------------------------------- inventory

  @Override
  public Inventory<AscendNpu> inventory(NodeView node) {
    String key = HamiAnnotations.nodeRegister(chip.commonWord());
    String register = node.annotations().get(key);
    if (register == null || register.isEmpty()) {
      return new Inventory.Unregistered<>("node " + node.name() + " has no " + key
          + " annotation (no " + chip.commonWord() + " device plugin registered on it)");
    }
    long allocatable;
    try {
      String raw = node.allocatable().get(chip.resourceName());
      allocatable = raw == null ? 0 : Quantities.value(raw);
    } catch (IllegalArgumentException e) {
      allocatable = 0;
    }
    if (allocatable <= 0) {
      return new Inventory.Unregistered<>("node " + node.name() + " has no allocatable " + chip.resourceName()
          + " (the device plugin has not registered with the kubelet)");
    }
    String handshake = node.annotations().getOrDefault(HamiAnnotations.nodeHandshake(chip.commonWord()), "");
    if (handshake.startsWith(HamiAnnotations.HANDSHAKE_DELETED)) {
      return new Inventory.Unregistered<>("node " + node.name() + ": " + HamiAnnotations.nodeHandshake(
          chip.commonWord()) + "=" + handshake + " (its devices were withdrawn)");
    }
    List<HamiDeviceInfo> infos;
    try {
      infos = HamiDeviceInfoCodec.decode(key, register);
    } catch (AnnotationFormatException e) {
      return new Inventory.Unregistered<>("node " + node.name() + ": " + e.getMessage());
    }
    Set<String> groups = CommaList.of(node.annotations().get(AscendAnnotations.NODE_FILTER));
    List<AscendNpu> npus = AscendNpu.of(infos, groups);
    String flag = node.annotations().get(AscendAnnotations.NODE_HAMI_CORE);
    boolean hamiCore = flag == null ? hamiCoreDefault : flag.trim().equals("true");
    return new Inventory.Registered<>(hamiCore ? SharingMode.SOFT_LIMIT : SharingMode.VNPU_TEMPLATE, npus);
  }

  // ---------------------------------------------------------------- assignments

  @Override
  public PodDevices assigned(PodView pod) {
    return assignment.assigned(pod);
  }

  @Override
  public FitResult fit(NodeUsage<AscendNpu> usage, PodView pod, PodDemand demand, SchedulingPolicy policy) {
    return new AscendFit(this, usage, pod, demand, policy).run();
  }

  @Override
  public Map<String, String> allocationAnnotations(Allocation<AscendNpu> allocation) {
    boolean hamiCore = allocation.usage().mode() == SharingMode.SOFT_LIMIT;
    List<AscendRuntimeInfo> infos = new ArrayList<>();
    for (DeviceSlice s : allocation.devices().allSlices()) {
      String template = hamiCore ? "" : chip.trim(s.memoryUnits()).map(VnpuChipConfig.TrimmedMemory::template)
          .orElse("");
      infos.add(new AscendRuntimeInfo(s.uuid(), template, s.memoryUnits(), hamiCore ? s.coresPercent() : 0));
    }
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put(HamiAnnotations.PREDICATE_TIME, Long.toString(allocation.now().getEpochSecond()));
    extra.put(AscendAnnotations.runtimeInfo(chip.commonWord()), AscendRuntimeInfo.encode(infos));
    return assignment.annotations(allocation.node(), allocation.devices(), allocation.now(), extra);
  }
}
