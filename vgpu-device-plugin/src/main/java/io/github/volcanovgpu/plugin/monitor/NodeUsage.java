package io.github.volcanovgpu.plugin.monitor;

import io.github.volcanovgpu.contract.region.RegionSnapshot;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.CardUsage;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.PhysicalGpu;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What the node uses, per container and card and per card, and what the shares do not explain: one read of the
 * monitor. {@link #compose} is pure.
 *
 * @param containers one row per resolved container and logical device
 * @param hosts one row per card, by minor number
 * @param findings shares exceeded and processes no share covers
 * @param unresolved regions whose container the kubelet does not list (its pod is gone, or two pods' containers
 *     cannot be told apart): not exported per container
 */
public record NodeUsage(List<ContainerCard> containers, List<HostCard> hosts, List<UsageFinding> findings,
    int unresolved) {
  public NodeUsage {
    containers = List.copyOf(containers);
    hosts = List.copyOf(hosts);
    findings = List.copyOf(findings);
  }

  /**
   * Joins the regions with the kubelet's containers and the driver's cards.
   *
   * <p>A region belongs to the kubelet's container of the same name whose device IDs (any resource; an ID names
   * its card as {@code <uuid>-<n>}, {@code <uuid>::<n>} or {@code <uuid>}) cover exactly the region's cards; when
   * the Allocate's pod file names the pod, only that pod's container qualifies, otherwise the match must be unique.
   * Processes the region holds are matched to the driver's processes by host PID: their SM shares add up to the
   * container's utilisation, and a driver process that no region claims on that card is an {@link
   * UsageFinding.UnexplainedProcess} (not on a card where some claiming process has no host PID yet: it may be
   * that one).
   */
  public static NodeUsage compose(List<ContainerRegion> regions, List<PodContainer> kubelet, List<PhysicalGpu> gpus,
      List<CardUsage> cards) {
    Map<String, CardUsage> byUuid = new HashMap<>();
    cards.forEach(c -> byUuid.put(c.uuid(), c));
    Set<String> uuids = new HashSet<>();
    gpus.forEach(g -> uuids.add(g.uuid()));
    Map<String, List<PodContainer>> byName = new HashMap<>();
    Map<PodContainer, Set<String>> cardsOf = new HashMap<>();
    for (PodContainer p : kubelet) {
      Set<String> held = cardsHeld(p.deviceIds(), uuids);
      if (!held.isEmpty()) {
        byName.computeIfAbsent(p.container(), k -> new ArrayList<>()).add(p);
        cardsOf.put(p, held);
      }
    }
    List<ContainerCard> rows = new ArrayList<>();
    List<UsageFinding> findings = new ArrayList<>();
    Set<String> claimed = new HashSet<>(); // "<uuid>/<hostPid>"
    Set<String> undiscovered = new HashSet<>(); // cards with a claiming process of unknown host PID
    int unresolved = 0;
    for (ContainerRegion r : regions) {
      int n = Math.min(r.cardUuids().size(), r.region().devices().size());
      for (RegionSnapshot.Process p : r.region().processes()) {
        for (int i = 0; i < n; i++) {
          if (p.hostPid() > 0) {
            claimed.add(r.cardUuids().get(i) + "/" + p.hostPid());
          } else {
            undiscovered.add(r.cardUuids().get(i));
          }
        }
      }
      Optional<PodContainer> owner = owner(r, byName.getOrDefault(r.container(), List.of()), cardsOf);
      if (owner.isEmpty()) {
        unresolved++;
        continue;
      }
      for (int i = 0; i < n; i++) {
        String uuid = r.cardUuids().get(i);
        ContainerCard row = row(r, owner.get(), i, uuid, byUuid.get(uuid));
        rows.add(row);
        long driverBytes = driverBytes(r, byUuid.get(uuid));
        long used = Math.max(row.memoryUsedBytes(), driverBytes);
        if (row.memoryLimitBytes() > 0 && used > row.memoryLimitBytes()) {
          findings.add(new UsageFinding.ShareExceeded(row, used, row.memoryLimitBytes()));
        }
      }
    }
    for (CardUsage c : cards) {
      if (undiscovered.contains(c.uuid())) {
        continue;
      }
      for (CardUsage.ProcessUsage p : c.processes()) {
        if (!claimed.contains(c.uuid() + "/" + p.hostPid())) {
          findings.add(new UsageFinding.UnexplainedProcess(c.uuid(), p.hostPid(), p.memoryUsedBytes()));
        }
      }
    }
    List<HostCard> hosts = new ArrayList<>();
    gpus.stream().sorted(Comparator.comparingInt(PhysicalGpu::minorNumber)).forEach(g -> {
      CardUsage u = byUuid.getOrDefault(g.uuid(), CardUsage.idle(g.uuid()));
      hosts.add(new HostCard(g.minorNumber(), g.uuid(), g.registeredType(), u.memoryUsedBytes(),
          u.utilizationPercent()));
    });
    return new NodeUsage(rows, hosts, findings, unresolved);
  }

  private static Optional<PodContainer> owner(ContainerRegion r, List<PodContainer> sameName,
      Map<PodContainer, Set<String>> cardsOf) {
    Set<String> wanted = new HashSet<>(r.cardUuids());
    List<PodContainer> candidates = new ArrayList<>();
    for (PodContainer p : sameName) {
      if (cardsOf.get(p).equals(wanted) && (r.podKey().isEmpty() || r.podKey().equals(p.podKey()))) {
        candidates.add(p);
      }
    }
    return candidates.size() == 1 ? Optional.of(candidates.get(0)) : Optional.empty();
  }

  private static ContainerCard row(ContainerRegion r, PodContainer owner, int i, String uuid,
      @Nullable CardUsage card) {
    RegionSnapshot.Device d = r.region().device(i);
    long used = 0;
    Set<Integer> pids = new HashSet<>();
    for (RegionSnapshot.Process p : r.region().processes()) {
      used += p.memoryUsedBytes().get(i);
      if (p.hostPid() > 0) {
        pids.add(p.hostPid());
      }
    }
    int util = 0;
    if (card != null) {
      for (CardUsage.ProcessUsage p : card.processes()) {
        if (pids.contains(p.hostPid())) {
          util += p.smUtilizationPercent();
        }
      }
    }
    return new ContainerCard(owner.namespace(), owner.pod(), r.podUid(), owner.container(), i, uuid, used,
        d.memoryLimitBytes(), Math.min(100, util), r.region().lastKernelEpochSeconds());
  }

  /** The driver's count of the container's processes on the card. */
  private static long driverBytes(ContainerRegion r, @Nullable CardUsage card) {
    if (card == null) {
      return 0;
    }
    Set<Integer> pids = new HashSet<>();
    r.region().processes().stream().filter(p -> p.hostPid() > 0).forEach(p -> pids.add(p.hostPid()));
    return card.processes().stream().filter(p -> pids.contains(p.hostPid()))
        .mapToLong(CardUsage.ProcessUsage::memoryUsedBytes).sum();
  }

  /** The cards a container's device IDs name (IDs of no card, such as memory tokens, are ignored). */
  static Set<String> cardsHeld(List<String> deviceIds, Set<String> uuids) {
    Set<String> out = new HashSet<>();
    for (String id : deviceIds) {
      if (uuids.contains(id)) {
        out.add(id);
        continue;
      }
      int cut = id.indexOf("::");
      if (cut < 0) {
        cut = id.lastIndexOf('-');
      }
      if (cut > 0 && uuids.contains(id.substring(0, cut))) {
        out.add(id.substring(0, cut));
      }
    }
    return out;
  }
}
