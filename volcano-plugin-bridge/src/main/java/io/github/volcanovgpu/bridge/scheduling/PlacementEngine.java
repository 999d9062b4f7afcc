package io.github.volcanovgpu.bridge.scheduling;

import io.github.volcanovgpu.bridge.device.Allocation;
import io.github.volcanovgpu.bridge.device.AssignmentKeys;
import io.github.volcanovgpu.bridge.device.DeviceVendor;
import io.github.volcanovgpu.bridge.device.FitResult;
import io.github.volcanovgpu.bridge.device.InvalidDemandException;
import io.github.volcanovgpu.bridge.device.Inventory;
import io.github.volcanovgpu.bridge.device.NodeUsage;
import io.github.volcanovgpu.bridge.device.PodDemand;
import io.github.volcanovgpu.bridge.device.PodGroups;
import io.github.volcanovgpu.bridge.device.RefusalCause;
import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.ledger.Ledger;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.quota.DemandRule;
import io.github.volcanovgpu.bridge.quota.KindTotals;
import io.github.volcanovgpu.bridge.quota.NamespaceUsage;
import io.github.volcanovgpu.bridge.quota.PodScope;
import io.github.volcanovgpu.bridge.quota.Quota;
import io.github.volcanovgpu.bridge.quota.QuotaCheck;
import io.github.volcanovgpu.bridge.quota.QuotaScope;
import io.github.volcanovgpu.bridge.quota.QuotaSource;
import io.github.volcanovgpu.contract.device.PodDevices;
import io.github.volcanovgpu.contract.device.RegisteredDevice;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one scheduling core behind both front doors (Volcano extender HTTP and gRPC), for every configured device
 * kind. Thread-safe: predicate and prioritize run concurrently from many workers and only read; allocate commits to
 * the kinds' ledgers under a per-node monitor (fit re-checked against the live ledgers, then reserved), and writes
 * the pod annotations outside it, so several pods can be in flight per node without overcommit.
 *
 * <p>A pod may ask for devices of several kinds (in different containers): it fits a node when every kind it asks
 * fits there; its score is the sum of the kinds' scores; its annotations are the union of theirs. The core never
 * names a kind: what it knows of one comes through {@link DeviceVendor}.
 */
public final class PlacementEngine {
  private static final Logger LOG = LoggerFactory.getLogger(PlacementEngine.class);

  private final DeviceKinds kinds;
  private final List<KindState<?>> states;
  private final ClusterState cluster;
  private final AssignmentWriter writer;
  private final NodeLock nodeLock;
  private final EngineConfig config;
  private final Clock clock;
  private final QuotaSource quotas;
  private final Map<String, QuotaCheck.Target> quotaTargets;
  /** Detailed node views from requests, for calls that carry only a name (allocate) when no cache is synced. */
  private final ConcurrentHashMap<String, NodeView> lastSeen = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Object> nodeMonitors = new ConcurrentHashMap<>();

  public PlacementEngine(
      DeviceVendor<?> vendor,
      ClusterState cluster,
      AssignmentWriter writer,
      NodeLock nodeLock,
      EngineConfig config,
      Clock clock) {
    this(DeviceKinds.of(vendor), cluster, writer, nodeLock, config, clock);
  }

  public PlacementEngine(
      DeviceKinds kinds,
      ClusterState cluster,
      AssignmentWriter writer,
      NodeLock nodeLock,
      EngineConfig config,
      Clock clock) {
    this(kinds, cluster, writer, nodeLock, config, clock, QuotaSource.NONE);
  }

  /**
   * @param quotas the namespaces' device quotas, held by the predicate as well (a pod created before its quota, or
   *     admitted while the webhook was down, still does not exceed it)
   */
  public PlacementEngine(
      DeviceKinds kinds,
      ClusterState cluster,
      AssignmentWriter writer,
      NodeLock nodeLock,
      EngineConfig config,
      Clock clock,
      QuotaSource quotas) {
    this.quotas = Objects.requireNonNull(quotas, "quotas");
    this.quotaTargets = QuotaCheck.targets(kinds);
    this.kinds = Objects.requireNonNull(kinds, "kinds");
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.writer = Objects.requireNonNull(writer, "writer");
    this.nodeLock = Objects.requireNonNull(nodeLock, "nodeLock");
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    List<KindState<?>> s = new ArrayList<>();
    for (DeviceVendor<?> v : kinds.all()) {
      s.add(KindState.of(v, clock, config));
    }
    this.states = List.copyOf(s);
  }

  public EngineConfig config() {
    return config;
  }

  public DeviceKinds kinds() {
    return kinds;
  }

  /**
   * True when the engine cannot read nodes from a synced cache, so the transport must parse node details (node
   * annotations, allocatable, the Tasks' pods) from the request. When false a node's name is enough.
   */
  public boolean needsNodeDetails() {
    return !cluster.isSynced();
  }

  // ---------------------------------------------------------------- predicate / prioritize

  /**
   * Volcano predicate: does the task's pod fit on the node. The answer is rendered from the core's structured
   * refusal ({@link #predicateResult}), the same one {@link #explain} reports.
   */
  public PredicateResult predicate(TaskView task, NodeView node) {
    PodView pod = task.pod();
    List<DeviceKinds.KindDemand> demands;
    try {
      demands = kinds.demands(pod);
    } catch (InvalidDemandException e) {
      return predicateResult(new FitResult.DoesNotFit(RefusalCause.INVALID_REQUEST, e.getMessage()));
    }
    if (demands.isEmpty()) {
      return PredicateResult.fits();
    }
    Optional<FitResult.DoesNotFit> podRefusal = podRefusal(pod, true);
    if (podRefusal.isPresent()) {
      return predicateResult(podRefusal.get());
    }
    Evaluation ev = evaluate(pod, demands, node, Set.of());
    return ev.refusal() == null ? PredicateResult.fits() : predicateResult(ev.refusal());
  }

  /** The predicate's answer for a refusal: 1 Error for an unknown node, else 2 or 3 as it is resolvable. */
  static PredicateResult predicateResult(FitResult.DoesNotFit refusal) {
    if (refusal.cause() == RefusalCause.UNKNOWN_NODE) {
      return PredicateResult.error(refusal.reason());
    }
    return refusal.resolvable()
        ? PredicateResult.unschedulable(refusal.reason())
        : PredicateResult.unresolvable(refusal.reason());
  }

  /** A refusal that holds on every node: the namespace quota (or a request the quota cannot read). */
  private Optional<FitResult.DoesNotFit> podRefusal(PodView pod, boolean memoized) {
    Optional<QuotaCheck.Breach> breach;
    try {
      breach = memoized ? predicateQuotaBreach(pod) : quotaBreach(pod);
    } catch (InvalidDemandException e) {
      return Optional.of(new FitResult.DoesNotFit(RefusalCause.INVALID_REQUEST, e.getMessage()));
    }
    return breach.map(b -> new FitResult.DoesNotFit(RefusalCause.QUOTA,
        "pod " + pod.key() + ": " + b.message()));
  }

  /** Volcano prioritize: a score per candidate node (0 where the pod does not fit). */
  public PrioritizeResult prioritize(TaskView task, List<NodeView> nodes) {
    Map<String, Double> scores = new LinkedHashMap<>(Math.max(16, nodes.size() * 2));
    List<DeviceKinds.KindDemand> demands;
    try {
      demands = kinds.demands(task.pod());
    } catch (InvalidDemandException e) {
      return new PrioritizeResult(Map.of(), e.getMessage());
    }
    for (NodeView node : nodes) {
      double score = 0;
      if (!demands.isEmpty()) {
        Evaluation ev = evaluate(task.pod(), demands, node, Set.of());
        if (ev.refusal() == null) {
          score = ev.score() * config.scoreWeight();
        }
      }
      scores.put(node.name(), score);
    }
    return PrioritizeResult.of(scores);
  }

  /** One kind's fit on the node: the usage it saw and the devices it chose. */
  private record KindFit(KindState<?> kind, NodeUsage<?> usage, PodDevices devices) {}

  /**
   * The pod on one node: fits (refusal null, with score and devices), or the core's refusal, with the kind that
   * refused and the usage it saw (null when the refusal is not a kind's).
   */
  private record Evaluation(FitResult.@Nullable DoesNotFit refusal, double score, List<KindFit> fits,
      @Nullable KindState<?> refusingKind, @Nullable NodeUsage<?> refusingUsage) {
    static Evaluation noFit(FitResult.DoesNotFit refusal) {
      return new Evaluation(refusal, 0, List.of(), null, null);
    }
  }

  /**
   * @param without pods whose shares count as released (what-if for explain and victim search); empty normally
   */
  private Evaluation evaluate(PodView pod, List<DeviceKinds.KindDemand> demands, NodeView given,
      Set<String> without) {
    Optional<NodeView> resolved = resolve(given);
    if (resolved.isEmpty()) {
      return Evaluation.noFit(new FitResult.DoesNotFit(RefusalCause.UNKNOWN_NODE, "node " + given.name()
          + " is unknown to the vGPU sidecar: " + (cluster.isSynced() ? "not in the API server's node list"
              : "the request carried no node details and the Kubernetes cache is not synced")));
    }
    NodeView node = resolved.get();
    double score = 0;
    List<KindFit> fits = new ArrayList<>(demands.size());
    for (DeviceKinds.KindDemand d : demands) {
      KindState<?> kind = states.get(d.kind());
      KindOutcome out = kind.fit(node, pod, d.demand(), config.policy(), without);
      if (out.failure() != null) {
        return new Evaluation(out.failure(), 0, List.of(), kind, out.usage());
      }
      score += out.fits().score();
      fits.add(new KindFit(kind, out.usage(), out.fits().devices()));
    }
    return new Evaluation(null, score, fits, null, null);
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

  // ---------------------------------------------------------------- preemptable / reclaimable

  /**
   * Volcano's preemptable and reclaimable: the fewest evictees whose release lets the evictor's pod fit on one node
   * (the core's own fit with their shares released, per node the evictees are on; the node needing the fewest
   * wins), never more than needed. Abstains where GPUs are not the reason (the pod asks none, or already fits on a
   * node of the evictees), and where it cannot judge (a node it does not know, the namespace quota); rejects when
   * no set of the evictees frees enough. The request carries no gang sizes: Volcano's gang plugin in the same tier
   * vetoes victims that would break a gang (victims are intersected by UID).
   */
  public EvictionResult victims(TaskView evictor, List<TaskView> evictees) {
    PodView pod = evictor.pod();
    List<DeviceKinds.KindDemand> demands;
    try {
      demands = kinds.demands(pod);
    } catch (InvalidDemandException e) {
      return EvictionResult.abstain(e.getMessage());
    }
    if (demands.isEmpty()) {
      return EvictionResult.abstain("pod " + pod.key() + " asks no device");
    }
    Optional<FitResult.DoesNotFit> podRefusal = podRefusal(pod, false);
    if (podRefusal.isPresent()) {
      return EvictionResult.abstain(podRefusal.get().reason());
    }
    Map<String, List<String>> byNode = new LinkedHashMap<>();
    for (TaskView t : evictees) {
      String node = t.nodeName().isEmpty() ? t.pod().nodeName() : t.nodeName();
      List<String> uids = byNode.computeIfAbsent(node, k -> new ArrayList<>());
      if (!node.isEmpty() && !t.pod().uid().equals(pod.uid()) && !uids.contains(t.pod().uid())) {
        uids.add(t.pod().uid());
      }
    }
    byNode.remove("");
    List<String> best = null;
    String bestNode = "";
    boolean judged = false;
    for (Map.Entry<String, List<String>> e : byNode.entrySet()) {
      NodeView node = NodeView.named(e.getKey());
      FitResult.DoesNotFit now = evaluate(pod, demands, node, Set.of()).refusal();
      if (now == null) {
        return EvictionResult.abstain("pod " + pod.key() + " fits node " + e.getKey() + " without evicting");
      }
      if (now.cause() == RefusalCause.UNKNOWN_NODE) {
        continue;
      }
      judged = true;
      if (!now.resolvable()) {
        continue;
      }
      Optional<List<String>> victims = VictimSearch.smallest(e.getValue(),
          without -> evaluate(pod, demands, node, without).refusal() == null);
      if (victims.isPresent() && (best == null || victims.get().size() < best.size())) {
        best = victims.get();
        bestNode = e.getKey();
      }
    }
    if (best != null) {
      return EvictionResult.permit(best, "pod " + pod.key() + " fits node " + bestNode + " once " + best.size()
          + " evictee(s) leave");
    }
    return judged
        ? EvictionResult.reject("no set of the evictees frees enough for pod " + pod.key() + " on their nodes")
        : EvictionResult.abstain("the evictees' nodes are unknown to the sidecar");
  }

  // ---------------------------------------------------------------- explain

  /** {@link #explain(PodView)} for the pod {@code namespace/name} the cluster state holds; empty when unknown. */
  public Optional<Explanation> explainPod(String namespace, String name) {
    for (PodView pod : cluster.podsIn(namespace)) {
      if (pod.name().equals(name)) {
        return Optional.of(new Explanation("pod " + pod.key(), List.of(explain(pod))));
      }
    }
    return Optional.empty();
  }

  /** {@link #explain(PodView)} for every pod of the vcjob {@code namespace/job}; empty when it has none. */
  public Optional<Explanation> explainJob(String namespace, String job) {
    List<PodView> pods = new ArrayList<>();
    for (PodView pod : cluster.podsIn(namespace)) {
      if (job.equals(pod.annotations().get(PodGroups.VOLCANO_JOB_NAME))) {
        pods.add(pod);
      }
    }
    if (pods.isEmpty()) {
      return Optional.empty();
    }
    pods.sort(java.util.Comparator.comparing(PodView::name));
    return Optional.of(new Explanation("vcjob " + namespace + "/" + job,
        pods.stream().map(this::explain).toList()));
  }

  /**
   * Why the pod does or does not fit each node the sidecar knows now, per device, from the same evaluation the
   * predicate answers with, and on a node where evicting could help the smallest set of pods whose leaving lets it
   * fit. Read-only.
   */
  public Explanation.PodExplanation explain(PodView pod) {
    List<DeviceKinds.KindDemand> demands;
    try {
      demands = kinds.demands(pod);
    } catch (InvalidDemandException e) {
      return new Explanation.PodExplanation(pod.key(), pod.uid(), pod.nodeName(), true,
          Optional.of(new Explanation.Refusal(RefusalCause.INVALID_REQUEST, e.getMessage())), List.of());
    }
    if (demands.isEmpty()) {
      return new Explanation.PodExplanation(pod.key(), pod.uid(), pod.nodeName(), false, Optional.empty(),
          List.of());
    }
    Optional<FitResult.DoesNotFit> podRefusal = podRefusal(pod, false);
    List<Explanation.NodeExplanation> nodes = new ArrayList<>();
    for (NodeView node : knownViews()) {
      nodes.add(explainNode(pod, demands, node, podRefusal));
    }
    return new Explanation.PodExplanation(pod.key(), pod.uid(), pod.nodeName(), true,
        podRefusal.map(PlacementEngine::refusal), nodes);
  }

  private static Explanation.Refusal refusal(FitResult.DoesNotFit r) {
    return new Explanation.Refusal(r.cause(), r.reason());
  }

  private Explanation.NodeExplanation explainNode(PodView pod, List<DeviceKinds.KindDemand> demands,
      NodeView node, Optional<FitResult.DoesNotFit> podRefusal) {
    String locked = "";
    for (DeviceKinds.KindDemand d : demands) {
      String v = node.annotations().get(states.get(d.kind()).vendor().nodeLockName());
      if (v != null && !v.isEmpty()) {
        locked = v;
      }
    }
    if (podRefusal.isPresent()) {
      return new Explanation.NodeExplanation(node.name(), false, Optional.of(refusal(podRefusal.get())),
          podRefusal.get().resolvable(), "", "", locked, List.of(), List.of());
    }
    Evaluation ev = evaluate(pod, demands, node, Set.of());
    FitResult.DoesNotFit r = ev.refusal();
    if (r == null) {
      return new Explanation.NodeExplanation(node.name(), true, Optional.empty(), true, "", "", locked,
          List.of(), List.of());
    }
    String kind = ev.refusingKind() == null ? "" : ev.refusingKind().vendor().deviceName();
    List<Explanation.DeviceExplanation> devices =
        ev.refusingUsage() == null ? List.of() : describe(ev.refusingUsage(), r);
    List<String> relief = r.resolvable() ? relief(pod, demands, node) : List.of();
    return new Explanation.NodeExplanation(node.name(), false, Optional.of(refusal(r)), r.resolvable(), kind,
        r.container(), locked, devices, relief);
  }

  private static List<Explanation.DeviceExplanation> describe(NodeUsage<?> usage, FitResult.DoesNotFit r) {
    Map<Integer, io.github.volcanovgpu.bridge.device.FitFailure> codes = new HashMap<>();
    for (io.github.volcanovgpu.bridge.device.DeviceRefusal d : r.devices()) {
      codes.putIfAbsent(d.index(), d.failure());
    }
    List<Explanation.DeviceExplanation> out = new ArrayList<>(usage.devices().size());
    for (int i = 0; i < usage.devices().size(); i++) {
      io.github.volcanovgpu.bridge.device.DeviceUsage<?> d = usage.devices().get(i);
      RegisteredDevice dev = d.device();
      io.github.volcanovgpu.bridge.device.FitFailure f = codes.get(i);
      List<String> pods = new ArrayList<>();
      d.pods().forEach(s -> pods.add(s.podKey()));
      out.add(new Explanation.DeviceExplanation(i, dev.uuid(), dev.type(), dev.healthy(), d.usedMemoryUnits(),
          dev.memoryUnits(), d.usedCoresPercent(), d.usedShares(), dev.splitCount(), f == null ? "" : f.name(),
          f == null ? "" : f.description(), pods));
    }
    return out;
  }

  /**
   * The smallest set of pods on the node (keys) whose leaving lets the pod fit, by the core's own fit with their
   * shares released; empty when no such set exists. Among equally small sets, smaller shares go first.
   */
  /** Fit checks of the exhaustive phase of explain's victim search, per node. */
  private static final int EXPLAIN_CHECKS_PER_NODE = 256;

  private List<String> relief(PodView pod, List<DeviceKinds.KindDemand> demands, NodeView given) {
    Optional<NodeView> resolved = resolve(given);
    if (resolved.isEmpty()) {
      return List.of();
    }
    Map<String, String> keys = new HashMap<>();
    Map<String, Long> held = new HashMap<>();
    for (DeviceKinds.KindDemand d : demands) {
      states.get(d.kind()).usageOn(resolved.get(), pod.uid())
          .ifPresent(u -> u.devices().forEach(dev -> dev.pods().forEach(s -> {
            keys.put(s.podUid(), s.podKey());
            held.merge(s.podUid(), s.memoryUnits(), Long::sum);
          })));
    }
    List<String> candidates = new ArrayList<>(keys.keySet());
    candidates.sort(java.util.Comparator.<String>comparingLong(held::get).thenComparing(keys::get));
    // explain looks at every node: a smaller exhaustive budget per node than one preemption decision gets
    return VictimSearch.smallest(candidates, without -> evaluate(pod, demands, given, without).refusal() == null,
        EXPLAIN_CHECKS_PER_NODE)
        .map(victims -> victims.stream().map(keys::get).toList())
        .orElse(List.of());
  }

  // ---------------------------------------------------------------- allocate / deallocate

  /** Volcano allocateFunc: commit the task to {@code task.nodeName()}. */
  public EventResult allocate(TaskView task) {
    PodView pod = task.pod();
    List<DeviceKinds.KindDemand> demands;
    try {
      demands = kinds.demands(pod);
    } catch (InvalidDemandException e) {
      return EventResult.failed(e.getMessage());
    }
    if (demands.isEmpty()) {
      return EventResult.ok();
    }
    String node = task.nodeName().isEmpty() ? pod.nodeName() : task.nodeName();
    return switch (task.status()) {
      case TaskStatus.ALLOCATED -> commit(task, demands, node, true);
      case TaskStatus.PIPELINED -> commit(task, demands, node, false);
      case TaskStatus.RUNNING -> {
        // unevict: an evicted running task is restored; its annotations are intact
        states.forEach(k -> k.ledger().unmarkReleased(pod.uid()));
        yield EventResult.ok();
      }
      default -> {
        LOG.debug("allocate of {} in status {}: nothing to commit", pod.key(), TaskStatus.name(task.status()));
        yield EventResult.ok();
      }
    };
  }

  private EventResult commit(TaskView task, List<DeviceKinds.KindDemand> demands, String node,
      boolean writeAnnotations) {
    PodView pod = task.pod();
    if (node.isEmpty()) {
      return EventResult.failed("allocate of pod " + pod.key() + ": the task names no node");
    }
    Map<String, String> current = task.podAnnotations().isEmpty() ? pod.annotations() : task.podAnnotations();
    if (handedOut(pod, current, demands)) {
      // the device plugins already handed the devices out; the views count them
      return EventResult.ok();
    }
    Optional<QuotaCheck.Breach> breach;
    try {
      breach = quotaBreach(pod); // fresh: the predicate's verdict may be a second old
    } catch (InvalidDemandException e) {
      return EventResult.failed(e.getMessage());
    }
    if (breach.isPresent()) {
      return EventResult.failed("allocate of pod " + pod.key() + " refused: " + breach.get().message());
    }
    List<KindFit> fits;
    Instant now = clock.instant();
    synchronized (nodeMonitors.computeIfAbsent(node, k -> new Object())) {
      Evaluation ev = evaluate(pod, demands, NodeView.named(node), Set.of());
      if (ev.refusal() != null) {
        return EventResult.failed("allocate of pod " + pod.key() + " on node " + node + " refused: "
            + ev.refusal().reason());
      }
      fits = ev.fits();
      for (KindFit f : fits) {
        Optional<String> stale = staleAssignment(f, pod, current, now);
        if (stale.isPresent()) {
          clearStale(pod, fits);
          return EventResult.failed("allocate of pod " + pod.key() + " on node " + node + " refused: "
              + stale.get());
        }
      }
      for (KindFit f : fits) {
        f.kind().ledger().reserve(new Ledger.Reservation(node, pod.uid(), pod.key(),
            f.kind().vendor().groupKey(pod), f.devices(), now, false));
      }
    }
    if (!writeAnnotations) {
      return EventResult.ok();
    }
    List<String> locked = new ArrayList<>(1);
    try {
      for (String name : lockNames(fits)) {
        nodeLock.lock(node, name, pod);
        locked.add(name);
      }
    } catch (RuntimeException e) {
      cancel(pod, fits);
      locked.forEach(name -> nodeLock.release(node, name, pod));
      return EventResult.failed("allocate of pod " + pod.key() + " on node " + node + ": " + e.getMessage());
    }
    Map<String, Optional<String>> changes = new LinkedHashMap<>();
    for (KindFit f : fits) {
      f.kind().annotations(f, pod, now).forEach((k, v) -> changes.put(k, Optional.of(v)));
    }
    try {
      writer.patchAnnotations(pod, changes);
    } catch (RuntimeException e) {
      // whatever failed, the share must not stay held by an allocation Volcano will roll back
      cancel(pod, fits);
      locked.forEach(name -> nodeLock.release(node, name, pod));
      if (!(e instanceof AssignmentWriter.AssignmentWriteException)) {
        LOG.error("unexpected failure writing the annotations of {}", pod.key(), e);
      }
      return EventResult.failed("allocate of pod " + pod.key() + " on node " + node + ": " + e.getMessage());
    }
    fits.forEach(f -> f.kind().ledger().markAnnotated(pod.uid()));
    LOG.debug("allocated {} on {}: {}", pod.key(), node, changes.keySet());
    return EventResult.ok();
  }

  private static Set<String> lockNames(List<KindFit> fits) {
    Set<String> names = new LinkedHashSet<>();
    fits.forEach(f -> names.add(f.kind().vendor().nodeLockName()));
    return names;
  }

  private static void cancel(PodView pod, List<KindFit> fits) {
    fits.forEach(f -> f.kind().ledger().cancel(pod.uid()));
  }

  /** True when every kind the pod asks has its bind phase at success and an assignment on the pod. */
  private boolean handedOut(PodView pod, Map<String, String> current, List<DeviceKinds.KindDemand> demands) {
    for (DeviceKinds.KindDemand d : demands) {
      KindState<?> k = states.get(d.kind());
      AssignmentKeys keys = k.vendor().assignmentKeys();
      if (!AssignmentKeys.BIND_PHASE_SUCCESS.equals(current.get(keys.bindPhase()))
          || k.vendor().assigned(pod).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The Binding-overlay hazard (reference §2.7 item 2): Volcano binds with the annotations the pod had when the
   * session started, and the API server copies them over ours. If the pod carries a kind's keys from an earlier
   * attempt that differ from this assignment, they would win. Returns the reason when that is the case.
   */
  private Optional<String> staleAssignment(KindFit fit, PodView pod, Map<String, String> current, Instant now) {
    AssignmentKeys keys = fit.kind().vendor().assignmentKeys();
    String ids = current.get(keys.devices());
    if (ids == null || ids.isEmpty()) {
      return Optional.empty();
    }
    String encoded = fit.kind().annotations(fit, pod, now).get(keys.devices());
    if (ids.equals(encoded) && fit.usage().node().equals(current.get(keys.node()))) {
      return Optional.empty(); // the stale keys say exactly what we assign now: the overlay is harmless
    }
    return Optional.of("the pod still carries " + fit.kind().vendor().deviceName() + " annotations of an earlier "
        + "attempt (" + keys.node() + "=" + current.getOrDefault(keys.node(), "") + "); Volcano's Binding would "
        + "restore them over the new assignment, so they were cleared and the pod will be placed in the next "
        + "session");
  }

  private void clearStale(PodView pod, List<KindFit> fits) {
    try {
      removeAllocationAnnotations(pod, fits.stream().<KindState<?>>map(KindFit::kind).toList());
    } catch (RuntimeException e) {
      LOG.warn("could not clear stale device annotations of {}: {}", pod.key(), e.getMessage());
    }
  }

  /** Removes every key the given kinds write at allocation (all of them are rolled back together). */
  private void removeAllocationAnnotations(PodView pod, List<KindState<?>> of) {
    Map<String, Optional<String>> removal = new LinkedHashMap<>();
    for (KindState<?> k : of) {
      for (String key : k.vendor().assignmentKeys().all()) {
        removal.put(key, Optional.empty());
      }
    }
    writer.patchAnnotations(pod, removal);
  }

  /** Volcano deallocateFunc: undo an allocation (rollback) or release an evicted task. */
  public EventResult deallocate(TaskView task) {
    PodView pod = task.pod();
    List<DeviceKinds.KindDemand> demands;
    try {
      demands = kinds.demands(pod);
    } catch (InvalidDemandException e) {
      demands = List.of();
    }
    String node = task.nodeName().isEmpty() ? pod.nodeName() : task.nodeName();
    if (task.status() == TaskStatus.RELEASING) {
      // an evicted running task: its devices are free for this session's pipelining, annotations stay
      if (!node.isEmpty()) {
        states.forEach(k -> k.ledger().markReleased(pod.uid(), node));
      }
      return EventResult.ok();
    }
    List<KindState<?>> involved = new ArrayList<>();
    boolean annotated = false;
    for (int i = 0; i < states.size(); i++) {
      KindState<?> k = states.get(i);
      Optional<Ledger.Reservation> reservation = k.ledger().cancel(pod.uid());
      boolean asked = false;
      for (DeviceKinds.KindDemand d : demands) {
        asked |= d.kind() == i;
      }
      if (asked || reservation.isPresent()) {
        involved.add(k);
        annotated |= reservation.map(Ledger.Reservation::annotated).orElse(false);
      }
    }
    if (involved.isEmpty()) {
      return EventResult.ok();
    }
    if (!node.isEmpty()) {
      involved.forEach(k -> k.ledger().markReleased(pod.uid(), node));
    }
    Map<String, String> current = task.podAnnotations().isEmpty() ? pod.annotations() : task.podAnnotations();
    boolean wrote = annotated;
    for (KindState<?> k : involved) {
      AssignmentKeys keys = k.vendor().assignmentKeys();
      if (AssignmentKeys.BIND_PHASE_SUCCESS.equals(current.get(keys.bindPhase()))) {
        return EventResult.ok(); // the device plugin owns the annotations of a started pod
      }
      wrote |= current.containsKey(keys.devices());
    }
    if (!wrote) {
      return EventResult.ok();
    }
    if (!node.isEmpty()) {
      Set<String> names = new LinkedHashSet<>();
      involved.forEach(k -> names.add(k.vendor().nodeLockName()));
      names.forEach(name -> nodeLock.release(node, name, pod));
    }
    try {
      removeAllocationAnnotations(pod, involved);
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

  /** Usage of one kind on every node the engine knows that registers it, for metrics and the simulator. */
  public Map<String, NodeUsage<?>> usage(String kind) {
    for (KindState<?> k : states) {
      if (k.vendor().deviceName().equals(kind)) {
        return k.usage(knownViews());
      }
    }
    throw new IllegalArgumentException("no device kind " + kind + " (configured: " + kindNames() + ")");
  }

  /** Usage of every kind: kind → node → usage, kinds in configuration order, nodes by name. */
  public Map<String, Map<String, NodeUsage<?>>> usageByKind() {
    List<NodeView> views = knownViews();
    Map<String, Map<String, NodeUsage<?>>> out = new LinkedHashMap<>();
    for (KindState<?> k : states) {
      out.put(k.vendor().deviceName(), k.usage(views));
    }
    return out;
  }

  private List<String> kindNames() {
    return states.stream().map(k -> k.vendor().deviceName()).toList();
  }

  private List<NodeView> knownViews() {
    Set<String> names = new TreeSet<>(lastSeen.keySet());
    states.forEach(k -> names.addAll(k.ledger().knownNodes()));
    names.addAll(cluster.nodeNames());
    List<NodeView> views = new ArrayList<>(names.size());
    for (String name : names) {
      resolve(NodeView.named(name)).ifPresent(views::add);
    }
    return views;
  }

  // ---------------------------------------------------------------- quotas

  /**
   * The pod against its namespace's device quotas: its demand ({@link DemandRule}) plus what the ledgers hold for
   * the namespace without it. Empty when it fits, or when no quota limits a device resource of its namespace.
   *
   * @throws InvalidDemandException when the pod's request cannot be read
   */
  public Optional<QuotaCheck.Breach> quotaBreach(PodView pod) {
    return quotaBreach(pod, cluster.podScope(pod.uid()));
  }

  /**
   * {@link #quotaBreach(PodView)} for a pod whose scope the caller read itself (admission: the pod is not created
   * yet, so the cluster state does not know it).
   *
   * @param scope what the quotas' scopes look at in the pod; empty: unknown, every quota holds it
   */
  public Optional<QuotaCheck.Breach> quotaBreach(PodView pod, Optional<PodScope> scope) {
    List<Quota> qs = quotas.quotas(pod.namespace());
    if (qs.isEmpty() || !QuotaCheck.applies(qs, quotaTargets)) {
      return Optional.empty();
    }
    Map<String, Map<String, NodeUsage<?>>> usage = usageByKind();
    Map<String, KindTotals> asked = DemandRule.podDemand(kinds, pod, NamespaceUsage.largestDeviceMemory(usage));
    if (asked.isEmpty()) {
      return Optional.empty();
    }
    return QuotaCheck.check(qs, quotaTargets, asked, scope, scopedUsage(usage, pod.namespace(), pod.uid()));
  }

  /** The namespace's usage of the pods each quota scope counts, computed once per scope. */
  private java.util.function.Function<QuotaScope, Map<String, KindTotals>> scopedUsage(
      Map<String, Map<String, NodeUsage<?>>> usage, String namespace, String excludeUid) {
    Map<QuotaScope, Map<String, KindTotals>> memo = new HashMap<>(2);
    return scope -> memo.computeIfAbsent(scope, sc -> sc.isAll()
        ? NamespaceUsage.of(usage, namespace, excludeUid)
        : NamespaceUsage.of(usage, namespace, excludeUid, uid -> sc.matches(cluster.podScope(uid))));
  }

  /**
   * A demand not yet held by any pod (a vcjob's gang) against the namespace's device quotas.
   *
   * @param withUsage count what the namespace holds now; false: the demand alone against the limits
   * @param scope what the quotas' scopes look at in the pods (a vcjob task's template)
   */
  public Optional<QuotaCheck.Breach> quotaBreach(String namespace, Map<String, KindTotals> asked, boolean withUsage,
      Optional<PodScope> scope) {
    List<Quota> qs = quotas.quotas(namespace);
    if (qs.isEmpty() || asked.isEmpty() || !QuotaCheck.applies(qs, quotaTargets)) {
      return Optional.empty();
    }
    if (!withUsage) {
      return QuotaCheck.check(qs, quotaTargets, asked, scope, sc -> Map.of());
    }
    return QuotaCheck.check(qs, quotaTargets, asked, scope, scopedUsage(usageByKind(), namespace, ""));
  }

  /** The namespace's usage of the pods a quota counts, for the metrics. */
  public Map<String, KindTotals> quotaUsage(Quota quota) {
    return scopedUsage(usageByKind(), quota.namespace(), "").apply(quota.scope());
  }

  /** One pod's quota verdict, for the predicate calls of one session (the same for every node). */
  private record QuotaVerdict(long atNanos, String resourceVersion, Optional<QuotaCheck.Breach> breach) {}

  private final ConcurrentHashMap<String, QuotaVerdict> quotaVerdicts = new ConcurrentHashMap<>();

  /**
   * {@link #quotaBreach} for the predicate: Volcano asks it of every node for one pod, and the answer does not depend
   * on the node, so it is kept for a second per pod (the namespace's use is summed over every node once, not once
   * per node).
   */
  private Optional<QuotaCheck.Breach> predicateQuotaBreach(PodView pod) {
    if (quotas.quotas(pod.namespace()).isEmpty()) {
      return Optional.empty();
    }
    long now = System.nanoTime();
    QuotaVerdict v = quotaVerdicts.get(pod.uid());
    if (v != null && now - v.atNanos() < 1_000_000_000L && v.resourceVersion().equals(pod.resourceVersion())) {
      return v.breach();
    }
    Optional<QuotaCheck.Breach> breach = quotaBreach(pod);
    if (quotaVerdicts.size() > 10_000) {
      quotaVerdicts.entrySet().removeIf(e -> now - e.getValue().atNanos() >= 1_000_000_000L);
    }
    quotaVerdicts.put(pod.uid(), new QuotaVerdict(now, pod.resourceVersion(), breach));
    return breach;
  }

  /** The quotas this engine holds pods to. */
  public QuotaSource quotas() {
    return quotas;
  }

  /** Number of in-flight reservations (a pod asking two kinds counts once per kind). */
  public int reservations() {
    int n = 0;
    for (KindState<?> k : states) {
      n += k.ledger().reservationCount();
    }
    return n;
  }

  // ---------------------------------------------------------------- one kind

  /** A kind's outcome on one node: its usage and fit, or why it does not fit. */
  private record KindOutcome(@Nullable NodeUsage<?> usage, FitResult.@Nullable Fits fits,
      FitResult.@Nullable DoesNotFit failure) {}

  /** One device kind with its ledger and its decoded inventories. */
  private static final class KindState<D extends RegisteredDevice> {
    private final DeviceVendor<D> vendor;
    private final Ledger<D> ledger;
    /**
     * Decoded inventory per node, valid while the node's annotation and allocatable maps are unchanged: informers
     * build a new view on every pod event but keep the node's maps, and Volcano resends the same values.
     */
    private final ConcurrentHashMap<String, Decoded<D>> inventories = new ConcurrentHashMap<>();

    private record Decoded<D extends RegisteredDevice>(Map<String, String> annotations,
        Map<String, String> allocatable, Inventory<D> inventory) {}

    private KindState(DeviceVendor<D> vendor, Clock clock, EngineConfig config) {
      this.vendor = vendor;
      this.ledger = new Ledger<>(vendor, clock, config.reservationTtl());
    }

    static <D extends RegisteredDevice> KindState<D> of(DeviceVendor<D> vendor, Clock clock, EngineConfig config) {
      return new KindState<>(vendor, clock, config);
    }

    DeviceVendor<D> vendor() {
      return vendor;
    }

    Ledger<D> ledger() {
      return ledger;
    }

    KindOutcome fit(NodeView node, PodView pod, PodDemand demand, SchedulingPolicy policy, Set<String> without) {
      Inventory<D> inv = inventoryOf(node);
      if (inv instanceof Inventory.Unregistered<D> u) {
        return new KindOutcome(null, null, new FitResult.DoesNotFit(RefusalCause.NOT_REGISTERED, u.reason()));
      }
      Inventory.Registered<D> reg = (Inventory.Registered<D>) inv;
      NodeUsage<D> usage = ledger.usage(node, reg.mode(), reg.devices(), pod.uid()).without(without);
      FitResult fit = vendor.fit(usage, pod, demand, policy);
      if (fit instanceof FitResult.Fits f) {
        return new KindOutcome(usage, f, null);
      }
      return new KindOutcome(usage, null, (FitResult.DoesNotFit) fit);
    }

    @SuppressWarnings("unchecked")
    Map<String, String> annotations(KindFit fit, PodView pod, Instant now) {
      return vendor.allocationAnnotations(new Allocation<>((NodeUsage<D>) fit.usage(), pod, fit.devices(), now));
    }

    /** The node's usage of this kind without pod {@code excludeUid}; empty when the node does not register it. */
    Optional<NodeUsage<D>> usageOn(NodeView view, String excludeUid) {
      if (inventoryOf(view) instanceof Inventory.Registered<D> reg) {
        return Optional.of(ledger.usage(view, reg.mode(), reg.devices(), excludeUid));
      }
      return Optional.empty();
    }

    Map<String, NodeUsage<?>> usage(List<NodeView> views) {
      Map<String, NodeUsage<?>> out = new LinkedHashMap<>();
      for (NodeView view : views) {
        if (inventoryOf(view) instanceof Inventory.Registered<D> reg) {
          out.put(view.name(), ledger.usage(view, reg.mode(), reg.devices(), ""));
        }
      }
      return out;
    }

    /** The node's decoded inventory; decoding runs once per node view, not once per predicate. */
    private Inventory<D> inventoryOf(NodeView node) {
      Decoded<D> cached = inventories.get(node.name());
      if (cached != null && same(cached.annotations(), node.annotations())
          && same(cached.allocatable(), node.allocatable())) {
        return cached.inventory();
      }
      Inventory<D> inv = vendor.inventory(node);
      inventories.put(node.name(), new Decoded<>(node.annotations(), node.allocatable(), inv));
      return inv;
    }

    /** Identity first (informer views share the node's maps), then equality (each request parses a new copy). */
    private static boolean same(Map<String, String> a, Map<String, String> b) {
      return a == b || a.equals(b);
    }
  }
}
