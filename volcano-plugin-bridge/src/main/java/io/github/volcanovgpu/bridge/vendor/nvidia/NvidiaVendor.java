package io.github.volcanovgpu.bridge.vendor.nvidia;

import io.github.volcanovgpu.bridge.device.Allocation;
import io.github.volcanovgpu.bridge.device.AssignmentKeys;
import io.github.volcanovgpu.bridge.device.ContainerDemand;
import io.github.volcanovgpu.bridge.device.DeviceUsage;
import io.github.volcanovgpu.bridge.device.DeviceVendor;
import io.github.volcanovgpu.bridge.device.FitReport;
import io.github.volcanovgpu.bridge.device.FitResult;
import io.github.volcanovgpu.bridge.device.Inventory;
import io.github.volcanovgpu.bridge.device.NodeUsage;
import io.github.volcanovgpu.bridge.device.PodDemand;
import io.github.volcanovgpu.bridge.device.PodShare;
import io.github.volcanovgpu.bridge.device.RefusalCause;
import io.github.volcanovgpu.bridge.device.RequestShape;
import io.github.volcanovgpu.bridge.device.Requests;
import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.Quantities;
import io.github.volcanovgpu.contract.annotation.AnnotationFormatException;
import io.github.volcanovgpu.contract.annotation.NodeRegistrationCodec;
import io.github.volcanovgpu.contract.annotation.PodDevicesCodec;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.config.MigGeometry;
import io.github.volcanovgpu.contract.config.NvidiaDeviceConfig;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.GpuMode;
import io.github.volcanovgpu.contract.device.PodDevices;
import io.github.volcanovgpu.contract.device.RegisteredGpu;
import io.github.volcanovgpu.contract.device.ResourceNames;
import io.github.volcanovgpu.contract.device.SharingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Volcano's NVIDIA vGPU device ({@code hamivgpu}) with HAMi-core soft sharing, implementing Volcano HEAD's
 * semantics (reference volcano-vgpu.md §1.2-1.9): request extraction, the per-GPU checks in Volcano's order, the
 * binpack / spread walk order and scores, and the annotation encodings.
 *
 * <p>Cards of a node registered in {@code mig} mode whose type matches a {@code knownMigGeometries} entry are shared
 * by {@link MigSharing} (geometry groups, ids {@code UUID[group-pos]}); every other card by hami-core soft sharing.
 * The per-card checks are common; only the final "take a slice" step differs per mode ({@link CardSharing}).
 *
 * <p>Deliberate differences from Volcano, each for safety: a card registered unhealthy is not a candidate (Volcano
 * parses the health bit and ignores it); the spread score is taken before the tentative add (Volcano computes it
 * after, so it is always 0); every division is guarded (a zero-memory card scores 0, never NaN). In mig mode a MIG
 * slice records the instance's memory (what the card is charged), and a card whose shares name two groups, or that
 * holds a whole-card share, is not offered.
 */
public final class NvidiaVendor implements DeviceVendor<RegisteredGpu> {
  private static final AssignmentKeys KEYS = new AssignmentKeys(VgpuAnnotations.VGPU_NODE,
      VgpuAnnotations.VGPU_IDS_NEW, VgpuAnnotations.BIND_PHASE, VgpuAnnotations.ALLOCATION_KEYS);

  private final ResourceNames names;
  private final List<MigGeometry> migGeometries;
  private final int gpuMemoryFactor;
  private final RequestShape shape;

  public NvidiaVendor(ResourceNames names, List<MigGeometry> migGeometries) {
    this(names, migGeometries, 1);
  }

  /**
   * @param gpuMemoryFactor the device config's {@code gpuMemoryFactor}: requests are in units of this many MiB
   *     (MIG instance memory is in MiB)
   */
  public NvidiaVendor(ResourceNames names, List<MigGeometry> migGeometries, int gpuMemoryFactor) {
    this.names = Objects.requireNonNull(names, "names");
    this.migGeometries = List.copyOf(migGeometries);
    this.gpuMemoryFactor = Math.max(1, gpuMemoryFactor); // Volcano scales only when > 1
    this.shape = new RequestShape(names.count(), Optional.of(names.memory()), names.memoryPercentageName(),
        Optional.of(names.cores()), 1, 0, 0, true, Set.of());
  }

  private NvidiaVendor(NvidiaVendor base, RequestShape shape) {
    this.names = base.names;
    this.migGeometries = base.migGeometries;
    this.gpuMemoryFactor = base.gpuMemoryFactor;
    this.shape = shape;
  }

  /** The kind as the device config's {@code nvidia:} block configures it, admission defaults included. */
  public static NvidiaVendor of(NvidiaDeviceConfig config) {
    NvidiaVendor v = new NvidiaVendor(config.resourceNames(), config.knownMigGeometries(), config.gpuMemoryFactor());
    RequestShape s = v.shape;
    return new NvidiaVendor(v, new RequestShape(s.count(), s.memory(), s.memoryPercentage(), s.cores(),
        Math.max(1, config.defaultGpuNum()), Math.max(0, config.defaultMemory()),
        Math.min(100, Math.max(0, config.defaultCores())), true, Set.of(config.resourcePriorityName())));
  }

  public static NvidiaVendor volcanoDefaults() {
    return new NvidiaVendor(ResourceNames.volcanoDefaults(), List.of());
  }

  @Override
  public String deviceName() {
    return VgpuAnnotations.DEVICE_NAME;
  }

  public ResourceNames names() {
    return names;
  }

  @Override
  public String unit() {
    return "GPU";
  }

  @Override
  public String metricFamily() {
    return "vgpu";
  }

  @Override
  public RequestShape requestShape() {
    return shape;
  }

  @Override
  public Set<String> resourceNames() {
    Set<String> all = new LinkedHashSet<>(List.of(names.count(), names.memory(), names.cores()));
    names.memoryPercentageName().ifPresent(all::add);
    return all;
  }

  // ---------------------------------------------------------------- demand

  @Override
  public Optional<PodDemand> demand(PodView pod) {
    List<ContainerDemand> demands = null;
    for (ContainerView c : pod.containers()) {
      ContainerDemand d = containerDemand(pod, c);
      if (d != null) {
        if (demands == null) {
          demands = new ArrayList<>(2);
        }
        demands.add(d);
      }
    }
    return demands == null ? Optional.empty() : Optional.of(new PodDemand(demands));
  }

  private @Nullable ContainerDemand containerDemand(PodView pod, ContainerView c) {
    Long countLimit = Requests.quantity(pod, c, c.limits(), names.count());
    Long memLimit = Requests.quantity(pod, c, c.limits(), names.memory());
    long count;
    if (countLimit != null) {
      count = countLimit;
    } else if (memLimit != null) {
      count = 1;
    } else {
      return null;
    }
    if (count == 0) {
      return null;
    }
    if (count > 1024) {
      throw Requests.invalid(pod, c, names.count(), count + " is not a plausible number of GPUs");
    }
    long memory =
        memLimit != null ? memLimit : Requests.orZero(Requests.quantity(pod, c, c.requests(), names.memory()));
    int percent = ContainerDemand.PERCENT_NOT_GIVEN;
    Optional<String> pctName = names.memoryPercentageName();
    if (pctName.isPresent()) {
      Long pct = Requests.quantity(pod, c, c.limits(), pctName.get());
      if (pct == null) {
        pct = Requests.quantity(pod, c, c.requests(), pctName.get());
      }
      if (pct != null) {
        if (pct > 100) {
          throw Requests.invalid(pod, c, pctName.get(), pct + " is above 100%");
        }
        percent = pct.intValue();
      }
    }
    if (percent == ContainerDemand.PERCENT_NOT_GIVEN && memory == 0) {
      percent = 100;
    }
    Long coresLimit = Requests.quantity(pod, c, c.limits(), names.cores());
    long cores =
        coresLimit != null ? coresLimit : Requests.orZero(Requests.quantity(pod, c, c.requests(), names.cores()));
    if (cores > 100) {
      throw Requests.invalid(pod, c, names.cores(), cores + " is above 100%");
    }
    return new ContainerDemand(c.name(), (int) count, memory, percent, (int) cores);
  }

  // ---------------------------------------------------------------- inventory

  @Override
  public Inventory<RegisteredGpu> inventory(NodeView node) {
    String register = node.annotations().get(VgpuAnnotations.NODE_REGISTER);
    if (register == null || register.isEmpty()) {
      return new Inventory.Unregistered<>(
          "node " + node.name() + " has no " + VgpuAnnotations.NODE_REGISTER
              + " annotation (no vGPU device plugin registered on it)");
    }
    for (String resource : List.of(ResourceNames.VOLCANO_COUNT, ResourceNames.VOLCANO_CORES,
        ResourceNames.VOLCANO_MEMORY)) {
      String raw = node.allocatable().get(resource);
      long v;
      try {
        v = raw == null ? 0 : Quantities.value(raw);
      } catch (IllegalArgumentException e) {
        v = 0;
      }
      if (v <= 0) {
        return new Inventory.Unregistered<>(
            "node " + node.name() + " has no allocatable " + resource
                + " (the device plugin has not registered with the kubelet)");
      }
    }
    List<RegisteredGpu> gpus;
    try {
      gpus = NodeRegistrationCodec.decode(register);
    } catch (AnnotationFormatException e) {
      return new Inventory.Unregistered<>("node " + node.name() + ": " + e.getMessage());
    }
    GpuMode mode = gpus.get(gpus.size() - 1).mode();
    // Volcano: the node's mode is the last record's; mig without a matching geometry falls back to hami-core
    return new Inventory.Registered<>(
        SharingMode.of(mode == GpuMode.MIG && !matchesMigGeometry(gpus) ? GpuMode.HAMI_CORE : mode), gpus);
  }

  private boolean matchesMigGeometry(List<RegisteredGpu> gpus) {
    for (RegisteredGpu g : gpus) {
      for (MigGeometry geometry : migGeometries) {
        for (String model : geometry.models()) {
          if (!model.isEmpty() && g.type().contains(model)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- assignments

  @Override
  public PodDevices assigned(PodView pod) {
    String ids = pod.annotations().get(VgpuAnnotations.VGPU_IDS_NEW);
    return ids == null || ids.isEmpty() ? PodDevices.empty() : PodDevicesCodec.decodeLenient(ids);
  }

  @Override
  public Map<String, String> allocationAnnotations(Allocation<RegisteredGpu> allocation) {
    return allocationAnnotations(allocation.node(), allocation.devices(), allocation.now());
  }

  /** Volcano's six keys for {@code devices} assigned on {@code node} at {@code now}. */
  public Map<String, String> allocationAnnotations(String node, PodDevices devices, Instant now) {
    String encoded = PodDevicesCodec.encode(devices);
    String seconds = Long.toString(now.getEpochSecond());
    Map<String, String> a = new LinkedHashMap<>();
    a.put(VgpuAnnotations.VGPU_NODE, node);
    a.put(VgpuAnnotations.VGPU_TIME, seconds);
    a.put(VgpuAnnotations.VGPU_IDS_NEW, encoded);
    a.put(VgpuAnnotations.DEVICES_TO_ALLOCATE, encoded);
    a.put(VgpuAnnotations.BIND_PHASE, VgpuAnnotations.BIND_PHASE_ALLOCATING);
    a.put(VgpuAnnotations.BIND_TIME, seconds);
    return a;
  }

  @Override
  public AssignmentKeys assignmentKeys() {
    return KEYS;
  }

  @Override
  public String nodeLockName() {
    return VgpuAnnotations.NODE_LOCK;
  }

  // ---------------------------------------------------------------- fit

  @Override
  public FitResult fit(NodeUsage<RegisteredGpu> usage, PodView pod, PodDemand demand, SchedulingPolicy policy) {
    String requiredMode = pod.annotations().get(VgpuAnnotations.VGPU_MODE);
    if (requiredMode != null
        && !requiredMode.isEmpty()
        && !requiredMode.trim().equals(usage.mode().wireName())) {
      return new FitResult.DoesNotFit(RefusalCause.MODE_MISMATCH,
          "pod required sharing mode " + requiredMode + " is not the same as node " + usage.node()
              + " mode " + usage.mode().wireName());
    }
    Filters filters = Filters.of(pod.annotations());
    String spreadGroup =
        "spread".equals(pod.annotations().get(VgpuAnnotations.PODGROUP_POLICY)) ? groupKey(pod) : "";

    List<DeviceUsage<RegisteredGpu>> gpus = usage.devices();
    int n = gpus.size();
    int[] shares = new int[n];
    long[] memory = new long[n];
    int[] cores = new int[n];
    boolean[] groupPresent = new boolean[n];
    for (int i = 0; i < n; i++) {
      DeviceUsage<RegisteredGpu> g = gpus.get(i);
      shares[i] = g.usedShares();
      memory[i] = g.usedMemoryUnits();
      cores[i] = g.usedCoresPercent();
      if (!spreadGroup.isEmpty()) {
        for (PodShare s : g.pods()) {
          if (s.groupKey().equals(spreadGroup) && (s.memoryUnits() > 0 || s.coresPercent() > 0)) {
            groupPresent[i] = true;
            break;
          }
        }
      }
    }

    CardSharing sharing = usage.mode() == SharingMode.MIG
        ? new MigSharing(usage, migGeometries, gpuMemoryFactor)
        : CardSharing.hamiCore(usage);
    double score = 0;
    List<List<DeviceSlice>> assigned = new ArrayList<>(demand.containers().size());
    int[] order = new int[n];
    for (ContainerDemand c : demand.containers()) {
      if (c.count() > n) {
        return new FitResult.DoesNotFit(RefusalCause.TOO_FEW_DEVICES, c.containerName(),
            "node " + usage.node() + ": container " + c.containerName() + " asks for " + c.count()
                + " GPUs, the node has " + n);
      }
      walkOrder(policy, shares, memory, order);
      int need = c.count();
      List<DeviceSlice> slices = new ArrayList<>(need);
      FitReport<NvidiaFitFailure> failures = new FitReport<>(NvidiaFitFailure.class);
      for (int k = 0; k < n && need > 0; k++) {
        int i = order[k];
        RegisteredGpu gpu = gpus.get(i).device();
        long memNeed = c.memoryOn(gpu.memoryUnits());
        NvidiaFitFailure f =
            check(gpu, shares[i], memory[i], cores[i], groupPresent[i], memNeed, c.coresPercent(), filters);
        if (f != null) {
          failures.add(i, f);
          continue;
        }
        CardSharing.Slot slot = sharing.tryAdd(i, memNeed);
        if (slot == null) {
          failures.add(i, NvidiaFitFailure.NO_MIG_INSTANCE);
          continue;
        }
        int sharesBefore = shares[i];
        shares[i]++;
        memory[i] += slot.memoryUnits();
        cores[i] += c.coresPercent();
        if (!spreadGroup.isEmpty() && (memNeed > 0 || c.coresPercent() > 0)) {
          groupPresent[i] = true;
        }
        score += gpuScore(policy, gpu.memoryUnits(), memory[i], sharesBefore);
        slices.add(DeviceSlice.nvidia(slot.deviceId(), slot.memoryUnits(), c.coresPercent()));
        need--;
      }
      if (need > 0) {
        return failures.doesNotFit(usage.node(), c.containerName(), c.count(), "GPU", n);
      }
      assigned.add(slices);
    }
    return new FitResult.Fits(new PodDevices(assigned), score);
  }

  /** The per-GPU checks in Volcano's order (reference §1.5), health first. Null when the card fits. */
  private static @Nullable NvidiaFitFailure check(
      RegisteredGpu gpu,
      int usedShares,
      long usedMemory,
      int usedCores,
      boolean groupPresent,
      long memNeed,
      int coresNeed,
      Filters filters) {
    if (!gpu.healthy()) {
      return NvidiaFitFailure.UNHEALTHY;
    }
    NvidiaFitFailure uuid = filters.uuidFailure(gpu.uuid());
    if (uuid != null) {
      return uuid;
    }
    if (gpu.splitCount() <= usedShares) {
      return NvidiaFitFailure.SHARES_EXHAUSTED;
    }
    if (groupPresent) {
      return NvidiaFitFailure.PODGROUP_SPREAD;
    }
    long free = gpu.memoryUnits() - usedMemory;
    if (free < memNeed) {
      return memNeed > gpu.memoryUnits() ? NvidiaFitFailure.CARD_MEMORY_TOO_SMALL
          : NvidiaFitFailure.INSUFFICIENT_MEMORY;
    }
    if (usedCores + coresNeed > 100) {
      return NvidiaFitFailure.INSUFFICIENT_CORES;
    }
    if (coresNeed == 100 && usedShares > 0) {
      return NvidiaFitFailure.EXCLUSIVE_NEEDS_IDLE_CARD;
    }
    if (usedCores >= 100 && coresNeed == 0) {
      return NvidiaFitFailure.CARD_FULLY_CORED;
    }
    if (!filters.typeAllowed(gpu.type())) {
      return NvidiaFitFailure.TYPE_MISMATCH;
    }
    return null;
  }

  /**
   * Fills {@code order} with GPU indices in walk order: binpack = used memory descending, spread = task count
   * ascending (ties: lower index first), none = descending index. Insertion sort: n is a handful of cards.
   */
  static void walkOrder(SchedulingPolicy policy, int[] shares, long[] memory, int[] order) {
    int n = order.length;
    if (policy == SchedulingPolicy.NONE) {
      for (int k = 0; k < n; k++) {
        order[k] = n - 1 - k;
      }
      return;
    }
    for (int k = 0; k < n; k++) {
      int idx = k;
      int j = k - 1;
      while (j >= 0 && before(policy, idx, order[j], shares, memory)) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = idx;
    }
  }

  private static boolean before(SchedulingPolicy policy, int a, int b, int[] shares, long[] memory) {
    if (policy == SchedulingPolicy.BINPACK) {
      return memory[a] > memory[b] || (memory[a] == memory[b] && a < b);
    }
    return shares[a] < shares[b] || (shares[a] == shares[b] && a < b);
  }

  /** Score of one chosen card; every division guarded. */
  static double gpuScore(SchedulingPolicy policy, long cardMemory, long usedMemoryAfter, int sharesBefore) {
    return switch (policy) {
      case BINPACK -> cardMemory <= 0 ? 0 : 100.0 * Math.min(usedMemoryAfter, cardMemory) / cardMemory;
      case SPREAD -> sharesBefore == 0 ? 100 : 0;
      case NONE -> 0;
    };
  }

  /** The pod's UUID and type filters, parsed once per fit. */
  private record Filters(List<String> allowUuids, List<String> denyUuids, List<String> useTypes,
      List<String> nouseTypes) {
    static Filters of(Map<String, String> annotations) {
      return new Filters(
          list(annotations.get(VgpuAnnotations.USE_GPU_UUID), false),
          list(annotations.get(VgpuAnnotations.NOUSE_GPU_UUID), false),
          list(annotations.get(VgpuAnnotations.USE_GPU_TYPE), true),
          list(annotations.get(VgpuAnnotations.NOUSE_GPU_TYPE), true));
    }

    private static List<String> list(@Nullable String value, boolean lowerCase) {
      if (value == null || value.isEmpty()) {
        return List.of();
      }
      List<String> out = new ArrayList<>();
      for (String part : value.split(",")) {
        String t = part.trim();
        if (!t.isEmpty()) {
          out.add(lowerCase ? t.toLowerCase(Locale.ROOT) : t);
        }
      }
      return out;
    }

    @Nullable
    NvidiaFitFailure uuidFailure(String uuid) {
      if (allowUuids.isEmpty() && denyUuids.isEmpty()) {
        return null;
      }
      if (uuid.isEmpty()) {
        return allowUuids.isEmpty() ? NvidiaFitFailure.UUID_DENIED : NvidiaFitFailure.UUID_NOT_ALLOWED;
      }
      if (denyUuids.contains(uuid)) {
        return NvidiaFitFailure.UUID_DENIED;
      }
      if (!allowUuids.isEmpty() && !allowUuids.contains(uuid)) {
        return NvidiaFitFailure.UUID_NOT_ALLOWED;
      }
      return null;
    }

    boolean typeAllowed(String type) {
      if (!type.contains("NVIDIA")) {
        return false;
      }
      if (useTypes.isEmpty() && nouseTypes.isEmpty()) {
        return true;
      }
      String lower = type.toLowerCase(Locale.ROOT);
      if (!useTypes.isEmpty()) {
        for (String t : useTypes) {
          if (lower.contains(t)) {
            return true;
          }
        }
        return false;
      }
      for (String t : nouseTypes) {
        if (lower.contains(t)) {
          return false;
        }
      }
      return true;
    }
  }
}
