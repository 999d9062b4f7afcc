package io.github.volcanovgpu.bridge.simulate;

import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.Quantities;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.EventResult;
import io.github.volcanovgpu.bridge.scheduling.EvictionResult;
import io.github.volcanovgpu.bridge.scheduling.PredicateResult;
import io.github.volcanovgpu.bridge.scheduling.PrioritizeResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Plays Volcano's allocate action for vcjobs against an extender: for each task, predicate on every node from a
 * pool of workers (Volcano uses 16), prioritize when more than one node passes, allocateFunc on the best node;
 * when fewer than {@code minAvailable} tasks of a job could be allocated, the gang is rolled back with
 * deallocateFunc in reverse order (Volcano's statement discard); otherwise the pods are bound.
 */
public final class SessionDriver {
  /** One task's outcome. */
  public record Placement(PodView pod, String node, String reason) {
    public boolean placed() {
      return !node.isEmpty();
    }
  }

  /**
   * One job's outcome.
   *
   * @param preempted {@code namespace/name} of the pods evicted (Volcano's preempt action) so that its tasks fit
   */
  public record JobOutcome(VcJob job, boolean scheduled, List<Placement> placements, List<String> preempted) {
    public JobOutcome {
      placements = List.copyOf(placements);
      preempted = List.copyOf(preempted);
    }

    public JobOutcome(VcJob job, boolean scheduled, List<Placement> placements) {
      this(job, scheduled, placements, List.of());
    }
  }

  private final ExtenderClient client;
  private final SessionCluster cluster;
  private final ExecutorService workers;
  private final boolean sendNodeDetails;
  private final Map<String, Map<String, Long>> queueCapabilities = new LinkedHashMap<>();
  private final Map<String, Map<String, Long>> queueAllocated = new LinkedHashMap<>();
  private Consumer<List<Placement>> beforeBind = placements -> {};
  private Map<String, Integer> priorityClasses = Map.of();
  /** The priority of every pod submitted, by uid (its job's priority class value; 0 without one). */
  private final Map<String, Integer> podPriorities = new java.util.HashMap<>();

  /**
   * @param sendNodeDetails send full NodeInfos (with their Tasks) as Volcano does; the sidecar then needs no cache
   */
  public SessionDriver(ExtenderClient client, SessionCluster cluster, ExecutorService workers,
      boolean sendNodeDetails) {
    this.client = Objects.requireNonNull(client, "client");
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.workers = Objects.requireNonNull(workers, "workers");
    this.sendNodeDetails = sendNodeDetails;
  }

  /**
   * Gives a queue a capability, as Volcano's capacity plugin reads {@code Queue.spec.capability} (or proportion's
   * deserved share): a task is not allocated when the queue's allocated requests plus the task's would exceed it
   * for any listed resource. Simplified: only the listed scalar resources are counted, as the sum of the pod's
   * container limits (what Volcano's resource request of the pod is for extended resources), with no reclaim or
   * borrowing between queues.
   */
  public SessionDriver withQueueCapability(String queue, Map<String, Long> capability) {
    queueCapabilities.put(queue, Map.copyOf(capability));
    return this;
  }

  /**
   * Runs between a job's last allocate and its binding (Volcano's session close), with the tasks about to be bound:
   * where tests restart the sidecar or race another session.
   */
  public SessionDriver beforeBind(Consumer<List<Placement>> hook) {
    this.beforeBind = Objects.requireNonNull(hook, "hook");
    return this;
  }

  /**
   * The PriorityClasses (name to value) that vcjobs name in {@code spec.priorityClassName}. A job whose priority is
   * above 0 plays Volcano's preempt action for a task that does not fit: on each node, the bound pods of lower
   * priority are offered to the sidecar's {@code preemptable} verb, the node with the fewest victims wins, they are
   * evicted (deallocate as Releasing, then deleted) and the task is placed again. Simplified: no PodDisruption
   * budgets, and evictions made for a gang that still does not reach minAvailable are not undone.
   */
  public SessionDriver withPriorityClasses(Map<String, Integer> classes) {
    priorityClasses = Map.copyOf(classes);
    return this;
  }

  private int priority(VcJob job) {
    if (job.priorityClassName().isEmpty()) {
      return 0;
    }
    Integer p = priorityClasses.get(job.priorityClassName());
    if (p == null) {
      throw new IllegalArgumentException("vcjob " + job.namespace() + "/" + job.name() + ": priorityClassName "
          + job.priorityClassName() + " is not among the cluster's priorityClasses " + priorityClasses.keySet());
    }
    return p;
  }

  /** What the queue has allocated so far of the resources its capability lists. */
  public Map<String, Long> queueAllocated(String queue) {
    return Map.copyOf(queueAllocated.getOrDefault(queue, Map.of()));
  }

  public JobOutcome schedule(VcJob job) {
    List<Placement> placements = new ArrayList<>();
    List<Placement> allocated = new ArrayList<>();
    List<String> preempted = new ArrayList<>();
    int priority = priority(job);
    for (PodView template : job.pods()) {
      PodView pod = cluster.submit(template);
      podPriorities.put(pod.uid(), priority);
      Placement p = overCapability(job.queue(), pod);
      if (p == null) {
        p = place(pod);
        if (!p.placed() && priority > 0) {
          Placement again = preempt(pod, priority, preempted);
          p = again == null ? p : again;
        }
      }
      placements.add(p);
      if (p.placed()) {
        allocated.add(p);
        charge(job.queue(), pod, 1);
      }
    }
    if (allocated.size() < job.minAvailable()) {
      for (int i = allocated.size() - 1; i >= 0; i--) {
        Placement p = allocated.get(i);
        PodView current = cluster.pod(p.pod().uid()).orElseThrow();
        EventResult r = client.deallocate(new TaskView(current, TaskStatus.PENDING, p.node(), Map.of()));
        if (!r.isOk()) {
          throw new IllegalStateException("deallocate of " + current.key() + " failed: " + r.errorMessage());
        }
        charge(job.queue(), current, -1);
      }
      String gang = "gang " + job.name() + ": " + allocated.size() + "/" + job.minAvailable()
          + " tasks allocatable (minAvailable " + job.minAvailable() + "), rolled back";
      List<Placement> rolledBack = new ArrayList<>();
      for (Placement p : placements) {
        rolledBack.add(new Placement(p.pod(), "", p.placed() ? gang : p.reason()));
      }
      return new JobOutcome(job, false, rolledBack, preempted);
    }
    beforeBind.accept(List.copyOf(allocated));
    for (Placement p : allocated) {
      cluster.bind(p.pod().uid(), p.node());
    }
    return new JobOutcome(job, true, placements, preempted);
  }

  /**
   * Volcano's preempt action for one task: per node, the bound pods of lower priority as evictees; the node whose
   * answer names the fewest victims wins; they are evicted and the task placed again. Null when nothing was evicted.
   */
  private @Nullable Placement preempt(PodView pod, int priority, List<String> preempted) {
    TaskView evictor = new TaskView(pod, TaskStatus.PENDING, "", Map.of());
    String bestNode = "";
    List<String> best = null;
    Map<String, PodView> byUid = new LinkedHashMap<>();
    for (String name : cluster.nodeNames()) {
      NodeView node = cluster.node(name).orElse(null);
      if (node == null) {
        continue;
      }
      List<TaskView> evictees = new ArrayList<>();
      for (PodView p : node.pods()) {
        if (name.equals(p.nodeName()) && podPriorities.getOrDefault(p.uid(), 0) < priority) {
          evictees.add(new TaskView(p, TaskStatus.RUNNING, name, p.annotations()));
          byUid.put(p.uid(), p);
        }
      }
      if (evictees.isEmpty()) {
        continue;
      }
      EvictionResult r = client.preemptable(evictor, evictees);
      if (r.status() == EvictionResult.PERMIT && !r.victimUids().isEmpty()
          && (best == null || r.victimUids().size() < best.size())) {
        best = r.victimUids();
        bestNode = name;
      }
    }
    if (best == null) {
      return null;
    }
    for (String uid : best) {
      PodView victim = byUid.get(uid);
      if (victim == null) {
        throw new IllegalStateException("the sidecar named victim " + uid + ", which was not an evictee");
      }
      EventResult r = client.deallocate(new TaskView(victim, TaskStatus.RELEASING, bestNode, victim.annotations()));
      if (!r.isOk()) {
        throw new IllegalStateException("deallocate of evicted " + victim.key() + " failed: " + r.errorMessage());
      }
      cluster.evict(uid);
      preempted.add(victim.key());
    }
    return place(pod);
  }

  private @Nullable Placement overCapability(String queue, PodView pod) {
    Map<String, Long> capability = queueCapabilities.get(queue);
    if (capability == null) {
      return null;
    }
    Map<String, Long> used = queueAllocated.getOrDefault(queue, Map.of());
    for (Map.Entry<String, Long> e : capability.entrySet()) {
      long want = request(pod, e.getKey());
      long have = used.getOrDefault(e.getKey(), 0L);
      if (want > 0 && have + want > e.getValue()) {
        return new Placement(pod, "", "queue " + queue + " capability: " + e.getKey() + " allocated " + have
            + " + requested " + want + " > " + e.getValue());
      }
    }
    return null;
  }

  private void charge(String queue, PodView pod, int sign) {
    Map<String, Long> capability = queueCapabilities.get(queue);
    if (capability == null) {
      return;
    }
    Map<String, Long> used = queueAllocated.computeIfAbsent(queue, q -> new LinkedHashMap<>());
    for (String resource : capability.keySet()) {
      used.merge(resource, sign * request(pod, resource), Long::sum);
    }
  }

  /** The pod's request of a scalar resource: the sum of its containers' limits (init containers not counted). */
  private static long request(PodView pod, String resource) {
    long sum = 0;
    for (ContainerView c : pod.containers()) {
      String v = c.limits().get(resource);
      if (v != null) {
        try {
          sum += Quantities.value(v.trim());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("pod " + pod.key() + " container " + c.name() + ": " + resource
              + " must be a quantity, got " + v, e);
        }
      }
    }
    return sum;
  }

  private Placement place(PodView pod) {
    TaskView task = new TaskView(pod, TaskStatus.PENDING, "", Map.of());
    List<NodeView> nodes = nodes();
    List<Future<PredicateResult>> futures = new ArrayList<>(nodes.size());
    for (NodeView n : nodes) {
      futures.add(workers.submit(() -> client.predicate(task, n)));
    }
    List<NodeView> passing = new ArrayList<>();
    Map<String, Integer> reasons = new LinkedHashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      PredicateResult r = get(futures.get(i));
      if (r.isSuccess()) {
        passing.add(nodes.get(i));
      } else {
        reasons.merge(shorten(r.reason(), nodes.get(i).name()), 1, Integer::sum);
      }
    }
    if (passing.isEmpty()) {
      return new Placement(pod, "", summarize(reasons, nodes.size()));
    }
    NodeView best = passing.get(0);
    if (passing.size() > 1) {
      PrioritizeResult scores = client.prioritize(task, passing);
      if (!scores.errorMessage().isEmpty()) {
        return new Placement(pod, "", "prioritize failed: " + scores.errorMessage());
      }
      double top = Double.NEGATIVE_INFINITY;
      for (NodeView n : passing) {
        double s = scores.nodeScores().getOrDefault(n.name(), 0.0);
        if (s > top) {
          top = s;
          best = n;
        }
      }
    }
    PodView bound = pod.withNodeName(best.name());
    EventResult r = client.allocate(new TaskView(bound, TaskStatus.ALLOCATED, best.name(), pod.annotations()));
    if (!r.isOk()) {
      return new Placement(pod, "", r.errorMessage());
    }
    return new Placement(pod, best.name(), "");
  }

  private List<NodeView> nodes() {
    List<NodeView> out = new ArrayList<>();
    for (String name : cluster.nodeNames()) {
      out.add(sendNodeDetails ? cluster.node(name).orElseThrow() : NodeView.named(name));
    }
    return out;
  }

  private static PredicateResult get(Future<PredicateResult> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      return PredicateResult.error("predicate call failed: " + e.getCause().getMessage());
    }
  }

  /** Drops the node name so that identical reasons on different nodes are counted together. */
  private static String shorten(String reason, String node) {
    return reason.replace("node " + node + ": ", "").replace("node " + node + " ", "node ");
  }

  private static String summarize(Map<String, Integer> reasons, int nodes) {
    StringBuilder sb = new StringBuilder("0/" + nodes + " nodes fit");
    reasons.forEach((r, n) -> sb.append("; ").append(n).append(" x ").append(r));
    return sb.toString();
  }
}
