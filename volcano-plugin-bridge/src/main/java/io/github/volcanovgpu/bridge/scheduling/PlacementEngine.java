package io.github.volcanovgpu.bridge.scheduling;

import io.github.volcanovgpu.bridge.device.DeviceVendor;
import io.github.volcanovgpu.bridge.device.FitResult;
import io.github.volcanovgpu.bridge.device.InvalidDemandException;
import io.github.volcanovgpu.bridge.device.Inventory;
import io.github.volcanovgpu.bridge.device.PodDemand;
import io.github.volcanovgpu.bridge.ledger.Ledger;
import io.github.volcanovgpu.bridge.ledger.NodeUsage;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.device.PodDevices;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one scheduling core behind both front doors (Volcano extender HTTP and gRPC). Thread-safe: predicate and
 * prioritize run concurrently from many workers and only read; allocate commits to the ledger under a per-node
 * monitor (fit re-checked against the live ledger, then reserved), and writes the pod annotations outside it, so
 * several pods can be in flight per node without overcommit.
 */
public final class PlacementEngine {
  private static final Logger LOG = LoggerFactory.getLogger(PlacementEngine.class);

  private final DeviceVendor vendor;
  private final ClusterState cluster;
  private final AssignmentWriter writer;
  private final NodeLock nodeLock;
  private final EngineConfig config;
  private final Clock clock;
  private final Ledger ledger;
  /** Detailed node views from requests, for calls that carry only a name (allocate) when no cache is synced. */
  private final ConcurrentHashMap<String, NodeView> lastSeen = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Object> nodeMonitors = new ConcurrentHashMap<>();
  /**
   * Decoded inventory per node, valid while the node's annotation and allocatable maps are unchanged: informers
   * build a new view on every pod event but keep the node's maps, and Volcano resends the same values.
   */
  private final ConcurrentHashMap<String, DecodedInventory> inventories = new ConcurrentHashMap<>();

  private record DecodedInventory(Map<String, String> annotations, Map<String, String> allocatable,
      Inventory inventory) {}

  public PlacementEngine(
      DeviceVendor vendor,
      ClusterState cluster,
      AssignmentWriter writer,
      NodeLock nodeLock,
      EngineConfig config,
      Clock clock) {
    this.vendor = Objects.requireNonNull(vendor, "vendor");
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.writer = Objects.requireNonNull(writer, "writer");
    this.nodeLock = Objects.requireNonNull(nodeLock, "nodeLock");
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ledger = new Ledger(vendor, clock, config.reservationTtl());
  }

  public EngineConfig config() {
    return config;
  }

  public DeviceVendor vendor() {
    return vendor;
  }

  /**
   * True when the engine cannot read nodes from a synced cache, so the transport must parse node details (node
   * annotations, allocatable, the Tasks' pods) from the request. When false a node's name is enough.
   */
  public boolean needsNodeDetails() {
    return !cluster.isSynced();
  }

  // ---------------------------------------------------------------- predicate / prioritize

  /** Volcano predicate: does the task's pod fit on the node. */
  public PredicateResult predicate(TaskView task, NodeView node) {
    PodDemand demand;
    try {
      Optional<PodDemand> d = vendor.demand(task.pod());
      if (d.isEmpty()) {
        return PredicateResult.fits();
      }
      demand = d.get();
    } catch (InvalidDemandException e) {
      return PredicateResult.unresolvable(e.getMessage());
    }
    Evaluation ev = evaluate(task.pod(), demand, node);
    return switch (ev.outcome()) {
      case FITS -> PredicateResult.fits();
      case DOES_NOT_FIT -> ev.resolvable()
          ? PredicateResult.unschedulable(ev.reason())
          : PredicateResult.unresolvable(ev.reason());
      case UNKNOWN_NODE -> PredicateResult.error(ev.reason());
    };
  }

  /** Volcano prioritize: a score per candidate node (0 where the pod does not fit). */
  public PrioritizeResult prioritize(TaskView task, List<NodeView> nodes) {
    Map<String, Double> scores = new LinkedHashMap<>(Math.max(16, nodes.size() * 2));
    Optional<PodDemand> demand;
    try {
      demand = vendor.demand(task.pod());
    } catch (InvalidDemandException e) {
      return new PrioritizeResult(Map.of(), e.getMessage());
    }
    for (NodeView node : nodes) {
      double score = 0;
      if (demand.isPresent()) {
        Evaluation ev = evaluate(task.pod(), demand.get(), node);
        if (ev.outcome() == Outcome.FITS) {
          score = ev.score() * config.scoreWeight();
        }
      }
      scores.put(node.name(), score);
    }
    return PrioritizeResult.of(scores);
  }

  private enum Outcome {
    FITS,
    DOES_NOT_FIT,
    UNKNOWN_NODE
  }

  private record Evaluation(Outcome outcome, String reason, boolean resolvable, double score,
      PodDevices devices) {
    static Evaluation unknown(String reason) {
      return new Evaluation(Outcome.UNKNOWN_NODE, reason, false, 0, PodDevices.empty());
    }
  }

  private Evaluation evaluate(PodView pod, PodDemand demand, NodeView given) {
    Optional<NodeView> resolved = resolve(given);
    if (resolved.isEmpty()) {
      return Evaluation.unknown("node " + given.name() + " is unknown to the vGPU sidecar: "
          + (cluster.isSynced() ? "not in the API server's node list" : "the request carried no node details "
          + "and the Kubernetes cache is not synced"));
    }
    NodeView node = resolved.get();
    Inventory inv = inventoryOf(node);
    if (inv instanceof Inventory.Unregistered u) {
      return new Evaluation(Outcome.DOES_NOT_FIT, u.reason(), false, 0, PodDevices.empty());
    }
    Inventory.Registered reg = (Inventory.Registered) inv;
    NodeUsage usage = ledger.usage(node, reg.mode(), reg.gpus(), pod.uid());
    FitResult fit = vendor.fit(usage, pod, demand, config.policy());
    if (fit instanceof FitResult.Fits f) {
      return new Evaluation(Outcome.FITS, "", true, f.score(), f.devices());
    }
    FitResult.DoesNotFit no = (FitResult.DoesNotFit) fit;
    return new Evaluation(Outcome.DOES_NOT_FIT, no.reason(), no.resolvable(), 0, PodDevices.empty());
  }

  /** The node's decoded inventory; decoding runs once per node view, not once per predicate. */
  private Inventory inventoryOf(NodeView node) {
    DecodedInventory cached = inventories.get(node.name());
    if (cached != null && same(cached.annotations(), node.annotations())
        && same(cached.allocatable(), node.allocatable())) {
      return cached.inventory();
    }
    Inventory inv = vendor.inventory(node);
    inventories.put(node.name(), new DecodedInventory(node.annotations(), node.allocatable(), inv));
    return inv;
  }

  /** Identity first (informer views share the node's maps), then equality (each request parses a new copy). */
  private static boolean same(Map<String, String> a, Map<String, String> b) {
    return a == b || a.equals(b);
  }

  /** The freshest detailed view of a node: the synced cache, else the request's, else the last request's. */
  private Optional<NodeView> resolve(NodeView given) {
    if (cluster.isSynced()) {
      Optional<NodeView> cached = cluster.node(given.name());
      if (cached.isPresent()) {
        return cached;
      }
    }
    if (given.detailed()) {
      lastSeen.put(given.name(), given);
      return Optional.of(given);
    }
    return Optional.ofNullable(lastSeen.get(given.name()));
  }

  // ---------------------------------------------------------------- allocate / deallocate

  /** Volcano allocateFunc: commit the task to {@code task.nodeName()}. */
  public EventResult allocate(TaskView task) {
    PodView pod = task.pod();
    Optional<PodDemand> demand;
    try {
      demand = vendor.demand(pod);
    } catch (InvalidDemandException e) {
      return EventResult.failed(e.getMessage());
    }
    if (demand.isEmpty()) {
      return EventResult.ok();
    }
    String node = task.nodeName().isEmpty() ? pod.nodeName() : task.nodeName();
    return switch (task.status()) {
      case TaskStatus.ALLOCATED -> commit(task, demand.get(), node, true);
      case TaskStatus.PIPELINED -> commit(task, demand.get(), node, false);
      case TaskStatus.RUNNING -> {
        // unevict: an evicted running task is restored; its annotations are intact
        ledger.unmarkReleased(pod.uid());
        yield EventResult.ok();
      }
      default -> {
        LOG.debug("allocate of {} in status {}: nothing to commit", pod.key(), TaskStatus.name(task.status()));
        yield EventResult.ok();
      }
    };
  }

  private EventResult commit(TaskView task, PodDemand demand, String node, boolean writeAnnotations) {
    PodView pod = task.pod();
    if (node.isEmpty()) {
      return EventResult.failed("allocate of pod " + pod.key() + ": the task names no node");
    }
    Map<String, String> current = task.podAnnotations().isEmpty() ? pod.annotations() : task.podAnnotations();
    if (VgpuAnnotations.BIND_PHASE_SUCCESS.equals(current.get(VgpuAnnotations.BIND_PHASE))
        && !vendor.assigned(pod).isEmpty()) {
      // the device plugin already handed the devices out; the views count them
      return EventResult.ok();
    }
    PodDevices devices;
    synchronized (nodeMonitors.computeIfAbsent(node, k -> new Object())) {
      Evaluation ev = evaluate(pod, demand, NodeView.named(node));
      if (ev.outcome() != Outcome.FITS) {
        return EventResult.failed("allocate of pod " + pod.key() + " on node " + node + " refused: "
            + ev.reason());
      }
      devices = ev.devices();
      Optional<String> stale = staleAssignment(current, node, devices);
      if (stale.isPresent()) {
        clearStale(pod);
        return EventResult.failed("allocate of pod " + pod.key() + " on node " + node + " refused: "
            + stale.get());
      }
      ledger.reserve(new Ledger.Reservation(node, pod.uid(), pod.key(), vendor.groupKey(pod), devices,
          clock.instant(), false));
    }
    if (!writeAnnotations) {
      return EventResult.ok();
    }
    try {
      nodeLock.lock(node, pod);
    } catch (RuntimeException e) {
      ledger.cancel(pod.uid());
      return EventResult.failed("allocate of pod " + pod.key() + " on node " + node + ": " + e.getMessage());
    }
    Map<String, Optional<String>> changes = new LinkedHashMap<>();
    vendor.allocationAnnotations(node, devices, clock.instant()).forEach((k, v) -> changes.put(k, Optional.of(v)));
    try {
      writer.patchAnnotations(pod, changes);
    } catch (RuntimeException e) {
      // whatever failed, the share must not stay held by an allocation Volcano will roll back
      ledger.cancel(pod.uid());
      nodeLock.release(node, pod);
      if (!(e instanceof AssignmentWriter.AssignmentWriteException)) {
        LOG.error("unexpected failure writing the annotations of {}", pod.key(), e);
      }
      return EventResult.failed("allocate of pod " + pod.key() + " on node " + node + ": " + e.getMessage());
    }
    ledger.markAnnotated(pod.uid());
    LOG.debug("allocated {} on {}: {}", pod.key(), node, devices);
    return EventResult.ok();
  }

  /**
   * The Binding-overlay hazard (reference §2.7 item 2): Volcano binds with the annotations the pod had when the
   * session started, and the API server copies them over ours. If the pod carries vGPU keys from an earlier
   * attempt that differ from this assignment, they would win. Returns the reason when that is the case.
   */
  private Optional<String> staleAssignment(Map<String, String> current, String node, PodDevices devices) {
    String ids = current.get(VgpuAnnotations.VGPU_IDS_NEW);
    if (ids == null || ids.isEmpty()) {
      return Optional.empty();
    }
    String encoded = vendor.allocationAnnotations(node, devices, clock.instant()).get(VgpuAnnotations.VGPU_IDS_NEW);
    if (ids.equals(encoded) && node.equals(current.get(VgpuAnnotations.VGPU_NODE))) {
      return Optional.empty(); // the stale keys say exactly what we assign now: the overlay is harmless
    }
    return Optional.of("the pod still carries vGPU annotations of an earlier attempt (" + VgpuAnnotations.VGPU_NODE
        + "=" + current.getOrDefault(VgpuAnnotations.VGPU_NODE, "") + "); Volcano's Binding would restore them "
        + "over the new assignment, so they were cleared and the pod will be placed in the next session");
  }

  private void clearStale(PodView pod) {
    try {
      removeAllocationAnnotations(pod);
    } catch (RuntimeException e) {
      LOG.warn("could not clear stale vGPU annotations of {}: {}", pod.key(), e.getMessage());
    }
  }

  /** Removes every key the vendor writes at allocation. */
  private void removeAllocationAnnotations(PodView pod) {
    Map<String, Optional<String>> removal = new LinkedHashMap<>();
    for (String key : vendor.allocationKeys()) {
      removal.put(key, Optional.empty());
    }
    writer.patchAnnotations(pod, removal);
  }

  /** Volcano deallocateFunc: undo an allocation (rollback) or release an evicted task. */
  public EventResult deallocate(TaskView task) {
    PodView pod = task.pod();
    Optional<PodDemand> demand;
    try {
      demand = vendor.demand(pod);
    } catch (InvalidDemandException e) {
      demand = Optional.empty();
    }
    String node = task.nodeName().isEmpty() ? pod.nodeName() : task.nodeName();
    if (task.status() == TaskStatus.RELEASING) {
      // an evicted running task: its devices are free for this session's pipelining, annotations stay
      if (!node.isEmpty()) {
        ledger.markReleased(pod.uid(), node);
      }
      return EventResult.ok();
    }
    Optional<Ledger.Reservation> reservation = ledger.cancel(pod.uid());
    if (demand.isEmpty() && reservation.isEmpty()) {
      return EventResult.ok();
    }
    if (!node.isEmpty()) {
      ledger.markReleased(pod.uid(), node);
    }
    Map<String, String> current = task.podAnnotations().isEmpty() ? pod.annotations() : task.podAnnotations();
    if (VgpuAnnotations.BIND_PHASE_SUCCESS.equals(current.get(VgpuAnnotations.BIND_PHASE))) {
      return EventResult.ok(); // the device plugin owns the annotations of a started pod
    }
    boolean wrote = reservation.map(Ledger.Reservation::annotated).orElse(false)
        || current.containsKey(VgpuAnnotations.VGPU_IDS_NEW);
    if (!wrote) {
      return EventResult.ok();
    }
    if (!node.isEmpty()) {
      nodeLock.release(node, pod);
    }
    try {
      removeAllocationAnnotations(pod);
    } catch (RuntimeException e) {
      return EventResult.failed("deallocate of pod " + pod.key() + ": ledger released, but " + e.getMessage());
    }
    return EventResult.ok();
  }

  // ---------------------------------------------------------------- sessions and views

  /** Session open: remembers the detailed nodes Volcano sent (may be empty). */
  public void openSession(List<NodeView> nodes) {
    for (NodeView n : nodes) {
      if (n.detailed()) {
        lastSeen.put(n.name(), n);
      }
    }
  }

  /** Session close: nothing session-scoped survives that the views cannot rebuild. */
  public void closeSession() {
    // reservations outlive sessions on purpose: they cover the gap until the views show the annotations
  }

  /** Usage of every node the engine knows, for metrics and the simulator. */
  public Map<String, NodeUsage> usage() {
    Map<String, NodeUsage> out = new LinkedHashMap<>();
    java.util.Set<String> names = new java.util.TreeSet<>(lastSeen.keySet());
    names.addAll(ledger.knownNodes());
    names.addAll(cluster.nodeNames());
    for (String name : names) {
      resolve(NodeView.named(name)).ifPresent(view -> {
        if (inventoryOf(view) instanceof Inventory.Registered reg) {
          out.put(name, ledger.usage(view, reg.mode(), reg.gpus(), ""));
        }
      });
    }
    return out;
  }

  /** Number of in-flight reservations. */
  public int reservations() {
    return ledger.reservationCount();
  }
}
