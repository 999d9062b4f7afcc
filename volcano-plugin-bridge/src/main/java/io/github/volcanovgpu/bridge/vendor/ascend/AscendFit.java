package io.github.volcanovgpu.bridge.vendor.ascend;

import io.github.volcanovgpu.bridge.device.ContainerDemand;
import io.github.volcanovgpu.bridge.device.DeviceUsage;
import io.github.volcanovgpu.bridge.device.FitReport;
import io.github.volcanovgpu.bridge.device.FitResult;
import io.github.volcanovgpu.bridge.device.NodeUsage;
import io.github.volcanovgpu.bridge.device.PodDemand;
import io.github.volcanovgpu.bridge.device.RefusalCause;
import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.vendor.hami.CommaList;
import io.github.volcanovgpu.bridge.vendor.hami.DeviceOrder;
import io.github.volcanovgpu.contract.annotation.AscendAnnotations;
import io.github.volcanovgpu.contract.config.VnpuChipConfig;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.PodDevices;
import io.github.volcanovgpu.contract.device.SharingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One fit of a pod's Ascend demand on one node (mutable, confined to the call). Per container, the NPUs are walked
 * in the policy's order; each is checked (health, UUID lists, share count, memory, compute); the container takes
 * the first that pass — or, on a 910C SuperPod, whole modules whose two NPUs both pass; or, on 910-family nodes
 * with network groups, the passing NPUs of the largest groups.
 */
final class AscendFit {
  private static final double NETWORK_WEIGHT = 10;

  private final AscendVendor vendor;
  private final VnpuChipConfig chip;
  private final NodeUsage<AscendNpu> usage;
  private final PodView pod;
  private final PodDemand demand;
  private final SchedulingPolicy policy;
  private final boolean hamiCore;
  private final int n;
  private final int[] shares;
  private final long[] memory;
  private final int[] cores;
  private final Set<String> allow;
  private final Set<String> deny;
  private final boolean networkIds;

  AscendFit(AscendVendor vendor, NodeUsage<AscendNpu> usage, PodView pod, PodDemand demand, SchedulingPolicy policy) {
    this.vendor = vendor;
    this.chip = vendor.chip();
    this.usage = usage;
    this.pod = pod;
    this.demand = demand;
    this.policy = policy;
    this.hamiCore = usage.mode() == SharingMode.SOFT_LIMIT;
    this.n = usage.devices().size();
    this.shares = new int[n];
    this.memory = new long[n];
    this.cores = new int[n];
    for (int i = 0; i < n; i++) {
      DeviceUsage<AscendNpu> d = usage.devices().get(i);
      shares[i] = d.usedShares();
      memory[i] = d.usedMemoryUnits();
      cores[i] = d.usedCoresPercent();
    }
    this.allow = CommaList.of(pod.annotations().get(vendor.useUuidKey));
    this.deny = CommaList.of(pod.annotations().get(vendor.noUseUuidKey));
    this.networkIds = hasNetworkIds();
  }

  FitResult run() {
    Optional<FitResult.DoesNotFit> mode = modeMismatch();
    if (mode.isPresent()) {
      return mode.get();
    }
    Optional<FitResult.DoesNotFit> group = groupMismatch();
    if (group.isPresent()) {
      return group.get();
    }
    double score = 0;
    List<List<DeviceSlice>> assigned = new ArrayList<>(demand.containers().size());
    for (ContainerDemand c : demand.containers()) {
      if (c.count() > n) {
        return tooMany(c);
      }
      Need need = need(c);
      if (need.refusal() != null) {
        return need.refusal();
      }
      double[] scores = new double[n];
      for (int i = 0; i < n; i++) {
        scores[i] = DeviceOrder.score(policy, memory[i], devmem(i), shares[i]);
      }
      int[] order = DeviceOrder.byScore(scores);
      FitReport<AscendFitFailure> report = new FitReport<>(AscendFitFailure.class);
      List<Integer> passing = new ArrayList<>(n);
      for (int i : order) {
        AscendFitFailure f = check(i, need.memoryMib(), c.coresPercent());
        if (f == null) {
          passing.add(i);
        } else {
          report.add(i, f);
        }
      }
      List<Integer> chosen = choose(c, passing, report);
      if (chosen.size() < c.count()) {
        return report.doesNotFit(usage.node(), c.containerName(), c.count(), "NPU", n);
      }
      List<DeviceSlice> slices = new ArrayList<>(chosen.size());
      for (int i : chosen) {
        score += scores[i];
        shares[i]++;
        memory[i] += need.memoryMib();
        cores[i] += c.coresPercent();
        slices.add(new DeviceSlice(usage.devices().get(i).device().uuid(), chip.commonWord(), need.memoryMib(),
            c.coresPercent()));
      }
      score += networkBonus(chosen);
      assigned.add(slices);
    }
    return new FitResult.Fits(new PodDevices(assigned), score);
  }

  private long devmem(int i) {
    return usage.devices().get(i).device().memoryUnits();
  }

  /** hami-core pods never on template nodes; template-pinned pods never on hami-core nodes. */
  private Optional<FitResult.DoesNotFit> modeMismatch() {
    AscendVendor.Mode pin = vendor.effectivePin(pod, demand);
    if (pin == AscendVendor.Mode.HAMI_CORE && !hamiCore) {
      boolean asked = AscendAnnotations.VNPU_MODE_HAMI_CORE.equals(pod.annotations().get(AscendAnnotations.VNPU_MODE));
      return Optional.of(new FitResult.DoesNotFit(RefusalCause.MODE_MISMATCH,
          "node " + usage.node() + " shares its " + chip.commonWord()
              + " NPUs as template vNPUs, not hami-core (node annotation " + AscendAnnotations.NODE_HAMI_CORE
              + " is not \"true\"); the pod needs hami-core (" + (asked ? AscendAnnotations.VNPU_MODE + ": hami-core"
                  : "it asks " + chip.resourceCoreName() + " compute")
              + ")"));
    }
    if (pin == AscendVendor.Mode.TEMPLATE && hamiCore) {
      return Optional.of(new FitResult.DoesNotFit(RefusalCause.MODE_MISMATCH,
          "node " + usage.node() + " shares its " + chip.commonWord()
              + " NPUs in hami-core mode; the pod asks template vNPUs (" + AscendAnnotations.VNPU_MODE
              + ": template)"));
    }
    return Optional.empty();
  }

  /** The seed's node filter: the pod's group must be one the node lists. */
  private Optional<FitResult.DoesNotFit> groupMismatch() {
    String wanted = pod.annotations().get(AscendAnnotations.NODE_FILTER);
    if (wanted == null || wanted.isBlank() || n == 0) {
      return Optional.empty();
    }
    Set<String> groups = usage.devices().get(0).device().nodeGroups();
    if (groups.contains(wanted.trim())) {
      return Optional.empty();
    }
    return Optional.of(new FitResult.DoesNotFit(RefusalCause.NODE_GROUP,
        "node " + usage.node() + " is not in vnpu-core node group \""
            + wanted.trim() + "\" (node annotation " + AscendAnnotations.NODE_FILTER + " lists "
            + (groups.isEmpty() ? "none" : String.join(",", groups)) + ")"));
  }

  private FitResult tooMany(ContainerDemand c) {
    boolean viaAlias = false;
    for (var container : pod.containers()) {
      if (container.name().equals(c.containerName()) && AscendAliases.names(container)) {
        viaAlias = true;
      }
    }
    String hint = viaAlias ? "; " + AscendAnnotations.ALIAS_COUNT + " is a number of NPUs: to ask for "
        + Math.min(c.requestedCount(), 100) + "% of one NPU's compute use " + chip.resourceCoreName() + ": "
        + Math.min(c.requestedCount(), 100) : "";
    return new FitResult.DoesNotFit(RefusalCause.TOO_FEW_DEVICES, c.containerName(), "node " + usage.node()
        + ": container " + c.containerName() + " asks for " + c.count() + " " + chip.commonWord()
        + " NPUs, the node has " + n + hint);
  }

  /** Memory per NPU for the container in the node's mode, or why the request cannot be met here. */
  private record Need(long memoryMib, FitResult.@Nullable DoesNotFit refusal) {}

  private Need need(ContainerDemand c) {
    long card = n == 0 ? chip.memoryAllocatableMib() : devmem(0);
    long asked = c.memoryOn(card);
    if (hamiCore) {
      return new Need(asked, null);
    }
    Optional<VnpuChipConfig.TrimmedMemory> trimmed = chip.trim(asked);
    if (trimmed.isEmpty()) {
      return new Need(0, new FitResult.DoesNotFit(RefusalCause.REQUEST_UNMEETABLE, c.containerName(),
          "node " + usage.node() + ": container " + c.containerName()
              + " asks " + asked + " MiB per NPU, more than a whole " + chip.commonWord()));
    }
    long mib = trimmed.get().memoryMib();
    boolean modulePair = chip.superPod() && c.requestedCount() == 1;
    if (c.count() > 1 && !modulePair && mib != chip.memoryAllocatableMib()) {
      return new Need(0, new FitResult.DoesNotFit(RefusalCause.REQUEST_UNMEETABLE, c.containerName(),
          "node " + usage.node() + ": container " + c.containerName()
              + " asks " + c.count() + " NPUs with " + asked + " MiB each: vNPU not supported for multiple devices "
              + "(template mode gives several NPUs only whole, " + chip.memoryAllocatableMib() + " MiB each)"));
    }
    return new Need(mib, null);
  }

  /** The per-NPU checks, health first; null when the NPU can take the container. */
  private @Nullable AscendFitFailure check(int i, long memNeed, int coresNeed) {
    AscendNpu npu = usage.devices().get(i).device();
    if (!npu.healthy()) {
      return AscendFitFailure.UNHEALTHY;
    }
    if (!allow.isEmpty() && !allow.contains(npu.uuid())) {
      return AscendFitFailure.UUID_NOT_ALLOWED;
    }
    if (deny.contains(npu.uuid())) {
      return AscendFitFailure.UUID_DENIED;
    }
    if (npu.splitCount() <= shares[i]) {
      return AscendFitFailure.SHARES_EXHAUSTED;
    }
    if (npu.memoryUnits() - memory[i] < memNeed) {
      return memNeed > npu.memoryUnits() ? AscendFitFailure.CARD_MEMORY_TOO_SMALL
          : AscendFitFailure.INSUFFICIENT_MEMORY;
    }
    int total = hamiCore ? 100 : npu.info().devcore();
    if (total - cores[i] < coresNeed) {
      return AscendFitFailure.INSUFFICIENT_CORES;
    }
    if (hamiCore && coresNeed == 100 && shares[i] > 0) {
      return AscendFitFailure.EXCLUSIVE_NEEDS_IDLE_CARD;
    }
    if (total != 0 && cores[i] >= total && coresNeed == 0) {
      return AscendFitFailure.CARD_FULLY_CORED;
    }
    return null;
  }

  /** Which passing NPUs the container takes (fewer than asked when it does not fit). */
  private List<Integer> choose(ContainerDemand c, List<Integer> passing, FitReport<AscendFitFailure> report) {
    if (chip.superPod() && c.count() > 1) {
      return modulePairs(c.count(), passing, report);
    }
    if (c.count() > 1 && networkIds) {
      return byNetwork(c.count(), passing);
    }
    return passing.subList(0, Math.min(c.count(), passing.size()));
  }

  /** 910C SuperPod: whole modules (both NPUs passing), in the walk order of their first NPU. */
  private List<Integer> modulePairs(int count, List<Integer> passing, FitReport<AscendFitFailure> report) {
    boolean[] passes = new boolean[n];
    for (int i : passing) {
      passes[i] = true;
    }
    boolean[] taken = new boolean[n];
    List<Integer> chosen = new ArrayList<>(count);
    for (int i : passing) {
      int partner = usage.devices().get(i).device().partner();
      if (partner < 0 || !passes[partner]) {
        report.add(i, AscendFitFailure.MODULE_PARTNER_BUSY);
      } else if (!taken[i] && chosen.size() < count) {
        taken[i] = true;
        taken[partner] = true;
        chosen.add(i);
        chosen.add(partner);
      }
    }
    return chosen;
  }

  private boolean hasNetworkIds() {
    if (!chip.commonWord().startsWith("Ascend910") || n == 0) {
      return false;
    }
    for (DeviceUsage<AscendNpu> d : usage.devices()) {
      if (d.device().networkId().isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** The largest network groups first (ties: the group met first in walk order), walk order within a group. */
  private List<Integer> byNetwork(int count, List<Integer> passing) {
    Map<Long, List<Integer>> groups = new LinkedHashMap<>();
    for (int i : passing) {
      groups.computeIfAbsent(usage.devices().get(i).device().networkId().getAsLong(), k -> new ArrayList<>())
          .add(i);
    }
    List<List<Integer>> sorted = new ArrayList<>(groups.values());
    sorted.sort((a, b) -> Integer.compare(b.size(), a.size()));
    List<Integer> chosen = new ArrayList<>(count);
    for (List<Integer> g : sorted) {
      for (int i : g) {
        if (chosen.size() < count) {
          chosen.add(i);
        }
      }
    }
    return chosen;
  }

  /** HAMi's topology bonus: 10 x (max NPUs of the container in one network / NPUs of the container). */
  private double networkBonus(List<Integer> chosen) {
    if (!networkIds || chosen.isEmpty()) {
      return 0;
    }
    Map<Long, Integer> perNetwork = new LinkedHashMap<>();
    int max = 0;
    for (int i : chosen) {
      max = Math.max(max, perNetwork.merge(usage.devices().get(i).device().networkId().getAsLong(), 1,
          Integer::sum));
    }
    return NETWORK_WEIGHT * max / chosen.size();
  }
}
