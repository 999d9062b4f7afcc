package io.github.volcanovgpu.bridge.kube;

import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.scheduling.AssignmentWriter;
import io.github.volcanovgpu.bridge.scheduling.NodeLock;
import io.github.volcanovgpu.process.DaemonThreads;
import io.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.kubernetes.client.extended.leaderelection.LeaderElectionRecord;
import io.kubernetes.client.extended.leaderelection.LeaderElector;
import io.kubernetes.client.extended.leaderelection.Lock;
import io.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoordinationV1Api;
import io.kubernetes.client.openapi.models.V1Lease;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most one deciding sidecar replica: leader election on a {@code coordination.k8s.io/v1} Lease with
 * client-java's {@link LeaderElector} and {@link LeaseLock}. Only the holder may allocate; the others are not
 * ready (the Service sends Volcano to the leader alone) and refuse allocate and every annotation or node-lock write
 * (see {@link #guard(AssignmentWriter)}, {@link #guard(NodeLock)}, {@link #refusal()}).
 *
 * <p>A replica that cannot renew within {@code renewDeadline} stops deciding before {@code leaseDuration} ends, so
 * the next holder never overlaps it. After losing the Lease it campaigns again. {@link #close()} stops deciding
 * first, then releases the Lease so a standby takes over at once.
 */
public final class LeaseLeaderElection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseLeaderElection.class);

  /**
   * Election settings (client-go's defaults: 15 s lease, 10 s renew deadline, 2 s retry).
   *
   * @param namespace namespace of the Lease
   * @param leaseName name of the Lease
   * @param identity this replica (the pod name)
   * @param leaseDuration how long a Lease not renewed keeps others out
   * @param renewDeadline how long the leader keeps trying to renew before it stops deciding
   * @param retryPeriod pause between attempts
   */
  public record Settings(String namespace, String leaseName, String identity, Duration leaseDuration,
      Duration renewDeadline, Duration retryPeriod) {
    public Settings {
      requireName(namespace, "lease namespace");
      requireName(leaseName, "lease name");
      Objects.requireNonNull(identity, "identity");
      if (identity.isBlank()) {
        throw new IllegalArgumentException("leader election identity must not be blank");
      }
      Objects.requireNonNull(leaseDuration, "leaseDuration");
      Objects.requireNonNull(renewDeadline, "renewDeadline");
      Objects.requireNonNull(retryPeriod, "retryPeriod");
      if (retryPeriod.isNegative() || retryPeriod.isZero()) {
        throw new IllegalArgumentException("leader election retry period must be positive, got " + retryPeriod);
      }
      if (renewDeadline.compareTo(retryPeriod) <= 0) {
        throw new IllegalArgumentException("leader election renew deadline (" + renewDeadline
            + ") must be longer than the retry period (" + retryPeriod + ")");
      }
      if (leaseDuration.compareTo(renewDeadline.plus(retryPeriod)) <= 0) {
        // the leader's last renew attempt ends retryPeriod + renewDeadline after its last success: it must have
        // stopped deciding before another replica may take the expired Lease
        throw new IllegalArgumentException("leader election lease duration (" + leaseDuration
            + ") must be longer than the renew deadline plus the retry period (" + renewDeadline + " + "
            + retryPeriod + ")");
      }
      if (leaseDuration.toSeconds() < 1) {
        throw new IllegalArgumentException("leader election lease duration must be at least 1s (the Lease "
            + "stores whole seconds), got " + leaseDuration);
      }
    }

    /** client-go's defaults. */
    public static Settings defaults(String namespace, String leaseName, String identity) {
      return new Settings(namespace, leaseName, identity, Duration.ofSeconds(15), Duration.ofSeconds(10),
          Duration.ofSeconds(2));
    }

    private static void requireName(@Nullable String name, String what) {
      if (name == null || !name.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
        throw new IllegalArgumentException(what + " must be a DNS subdomain name, got '" + name + "'");
      }
    }
  }

  private final ApiClient client;
  private final Settings settings;
  private final Object state = new Object();
  private final AtomicReference<String> observedLeader = new AtomicReference<>("");
  private volatile String lockProblem = "";
  /** Guarded by {@link #state}. */
  private boolean leader;
  /** Guarded by {@link #state}; bumped whenever a term ends so a late start hook of an old term is ignored. */
  private long term;
  private boolean closed;
  private @Nullable LeaderElector elector;
  private @Nullable Thread campaigner;

  public LeaseLeaderElection(ApiClient client, Settings settings) {
    this.client = Objects.requireNonNull(client, "client");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  public Settings settings() {
    return settings;
  }

  /** Starts campaigning in the background; returns at once. */
  public LeaseLeaderElection start() {
    synchronized (state) {
      if (campaigner != null || closed) {
        throw new IllegalStateException("leader election already started or closed");
      }
      campaigner = DaemonThreads.start("vgpu-leader-election", this::campaign);
    }
    LOG.info("leader election started: Lease {}/{}, identity {}", settings.namespace(), settings.leaseName(),
        settings.identity());
    return this;
  }

  /** Whether this replica holds the Lease now (and may decide). */
  public boolean isLeader() {
    synchronized (state) {
      return leader && !closed;
    }
  }

  /** The holder this replica last saw ("" before the first observation). */
  public String observedLeader() {
    return observedLeader.get();
  }

  /** Why this replica may not decide now, or empty when it is the leader. */
  public Optional<String> refusal() {
    if (isLeader()) {
      return Optional.empty();
    }
    String holder = observedLeader();
    String problem = lockProblem;
    return Optional.of("sidecar replica " + settings.identity() + " is not the leader of Lease "
        + settings.namespace() + "/" + settings.leaseName()
        + (holder.isEmpty() ? " (no leader yet)" : " (leader: " + holder + ")")
        + (problem.isEmpty() ? "" : ": " + problem));
  }

  /**
   * client-java's {@link LeaseLock} only logs a failed create (a stack trace every retry period); when it fails
   * because the Lease's namespace does not exist, this says so once, clearly, and {@link #refusal} carries it.
   */
  private final class ExplainingLock implements Lock {
    private final Lock lock;

    ExplainingLock(Lock lock) {
      this.lock = lock;
    }

    @Override
    public LeaderElectionRecord get() throws ApiException {
      return lock.get();
    }

    @Override
    public boolean create(LeaderElectionRecord record) {
      boolean created = lock.create(record);
      if (created) {
        lockProblem = "";
      } else if (namespaceMissing()) {
        String problem = "the Lease cannot be created: namespace " + settings.namespace() + " does not exist"
            + " (create it, e.g. helm install --create-namespace, or choose another with --leader-elect-namespace)";
        if (!problem.equals(lockProblem)) {
          LOG.warn("leader election: {}; this replica stays unready until it can take the Lease", problem);
        }
        lockProblem = problem;
      }
      return created;
    }

    /**
     * A dry-run create of the Lease (the chart's RBAC grants leases, not namespaces): 404 naming the namespace
     * when it does not exist; nothing is stored either way.
     */
    private boolean namespaceMissing() {
      try {
        new CoordinationV1Api(client).createNamespacedLease(settings.namespace(), new V1Lease()
            .metadata(new V1ObjectMeta().name(settings.leaseName()).namespace(settings.namespace())))
            .dryRun("All").execute();
        return false;
      } catch (ApiException e) {
        String body = e.getResponseBody();
        return e.getCode() == 404 && body != null && body.contains("namespaces");
      }
    }

    @Override
    public boolean update(LeaderElectionRecord record) {
      return lock.update(record);
    }

    @Override
    public String identity() {
      return lock.identity();
    }

    @Override
    public String describe() {
      return lock.describe();
    }
  }

  /** A writer that refuses every write while this replica is not the leader. */
  public AssignmentWriter guard(AssignmentWriter writer) {
    Objects.requireNonNull(writer, "writer");
    return (pod, changes) -> {
      Optional<String> refused = refusal();
      if (refused.isPresent()) {
        throw new AssignmentWriter.AssignmentWriteException(
            "cannot write vGPU annotations of pod " + pod.key() + ": " + refused.get());
      }
      writer.patchAnnotations(pod, changes);
    };
  }

  /** A node lock that refuses to lock while this replica is not the leader (release always goes through). */
  public NodeLock guard(NodeLock lock) {
    Objects.requireNonNull(lock, "lock");
    return new NodeLock() {
      @Override
      public void lock(String node, String name, PodView pod) {
        Optional<String> refused = refusal();
        if (refused.isPresent()) {
          throw new NodeLockException("cannot lock node " + node + " for pod " + pod.key() + ": " + refused.get());
        }
        lock.lock(node, name, pod);
      }

      @Override
      public void release(String node, String name, PodView pod) {
        lock.release(node, name, pod);
      }
    };
  }

  private void campaign() {
    while (true) {
      LeaderElector current;
      long myTerm;
      synchronized (state) {
        if (closed) {
          return;
        }
        current = new LeaderElector(new LeaderElectionConfig(
            new ExplainingLock(new LeaseLock(settings.namespace(), settings.leaseName(), settings.identity(),
                client)),
            settings.leaseDuration(), settings.renewDeadline(), settings.retryPeriod()),
            e -> LOG.warn("leader election: {}", e.toString()));
        elector = current;
        myTerm = term;
      }
      current.run(() -> onStartLeading(myTerm), () -> onStopLeading(myTerm), this::onNewLeader);
      synchronized (state) {
        if (closed) {
          return;
        }
        elector = null;
      }
      // an elector runs once: retire it (it no longer holds the Lease) and campaign with a new one
      current.close();
      try {
        TimeUnit.MILLISECONDS.sleep(settings.retryPeriod().toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void onStartLeading(long startedTerm) {
    synchronized (state) {
      if (closed || startedTerm != term) {
        return;
      }
      leader = true;
    }
    observedLeader.set(settings.identity());
    LOG.info("became the leader of Lease {}/{}: this replica decides", settings.namespace(), settings.leaseName());
  }

  private void onStopLeading(long stoppedTerm) {
    boolean was;
    synchronized (state) {
      was = leader;
      leader = false;
      if (stoppedTerm == term) {
        term++;
      }
    }
    if (was) {
      LOG.warn("lost the Lease {}/{}: this replica stops deciding", settings.namespace(), settings.leaseName());
    }
  }

  private void onNewLeader(String holder) {
    observedLeader.set(holder == null ? "" : holder);
    LOG.info("leader of Lease {}/{} is now {}", settings.namespace(), settings.leaseName(), holder);
  }

  /** Stops deciding, releases the Lease if held, stops campaigning. */
  @Override
  public void close() {
    LeaderElector current;
    Thread t;
    synchronized (state) {
      if (closed) {
        return;
      }
      closed = true;
      leader = false;
      term++;
      current = elector;
      t = campaigner;
    }
    if (current != null) {
      current.close(); // gives the Lease up when this replica holds it
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(settings.renewDeadline().toMillis() + 1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    LOG.info("leader election stopped");
  }

  /** For logs: the settings as key=value. */
  @Override
  public String toString() {
    return Map.of("lease", settings.namespace() + "/" + settings.leaseName(), "identity", settings.identity())
        .toString();
  }
}
