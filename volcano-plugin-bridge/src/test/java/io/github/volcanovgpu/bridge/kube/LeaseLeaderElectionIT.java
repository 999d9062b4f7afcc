package io.github.volcanovgpu.bridge.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.scheduling.AssignmentWriter;
import io.github.volcanovgpu.bridge.scheduling.NodeLock;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoordinationV1Api;
import io.kubernetes.client.openapi.models.V1Lease;
import io.kubernetes.client.openapi.models.V1LeaseSpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Leader election of sidecar replicas on a real coordination.k8s.io/v1 Lease. */
@RealApiServer
class LeaseLeaderElectionIT {
  private static final Duration LEASE = Duration.ofSeconds(3);
  private static final Duration RENEW = Duration.ofSeconds(2);
  private static final Duration RETRY = Duration.ofMillis(300);

  private final ApiClient client;
  private final TestNamespace ns;
  private final List<LeaseLeaderElection> electors = new ArrayList<>();

  LeaseLeaderElectionIT(ApiClient client, TestNamespace ns) {
    this.client = client;
    this.ns = ns;
  }

  @AfterEach
  void closeAll() {
    electors.forEach(LeaseLeaderElection::close);
  }

  private LeaseLeaderElection elector(String lease, String identity) {
    LeaseLeaderElection e = new LeaseLeaderElection(client,
        new LeaseLeaderElection.Settings(ns.name(), lease, identity, LEASE, RENEW, RETRY));
    electors.add(e);
    return e;
  }

  /** The Lease's renewTime, as the API server has it (null before the first write). */
  private OffsetDateTime renewed(String lease) throws Exception {
    V1Lease l = new CoordinationV1Api(client).readNamespacedLease(lease, ns.name()).execute();
    return l.getSpec() == null ? null : l.getSpec().getRenewTime();
  }

  /** Waits until the holder of {@code lease} has renewed it after {@code since}; returns the new renewTime. */
  private OffsetDateTime awaitRenewalAfter(String lease, OffsetDateTime since) {
    return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
        .until(() -> renewed(lease), t -> t != null && t.isAfter(since));
  }

  private String holder(String lease) throws Exception {
    V1Lease l = new CoordinationV1Api(client).readNamespacedLease(lease, ns.name()).execute();
    return l.getSpec() == null || l.getSpec().getHolderIdentity() == null ? "" : l.getSpec().getHolderIdentity();
  }

  @Test
  void aLeaseNamespaceThatDoesNotExistIsNamedInTheRefusal() {
    // found when the chart's sidecar args ran outside the chart's namespace: client-java logs a 404 stack trace
    // every retry period and the replica just stays unready without saying why
    String missing = ns.name() + "-absent";
    LeaseLeaderElection e = new LeaseLeaderElection(client,
        new LeaseLeaderElection.Settings(missing, "lease", "replica-a", LEASE, RENEW, RETRY));
    electors.add(e);
    e.start();
    await().atMost(Duration.ofSeconds(20)).until(() -> e.refusal().orElse("").contains("namespace " + missing
        + " does not exist"));
    assertThat(e.isLeader()).isFalse();
    assertThat(e.refusal().orElseThrow()).contains("--leader-elect-namespace");
  }

  @Test
  void twoElectorsElectExactlyOneLeaderAndTheLeaseNamesIt() throws Exception {
    LeaseLeaderElection a = elector("one-leader", "replica-a").start();
    LeaseLeaderElection b = elector("one-leader", "replica-b").start();
    await().atMost(Duration.ofSeconds(20)).until(() -> a.isLeader() || b.isLeader());

    // sample until the follower has seen the leader and the leader has renewed twice since: never two deciders,
    // never a change of leader while it renews
    LeaseLeaderElection leader = a.isLeader() ? a : b;
    LeaseLeaderElection follower = leader == a ? b : a;
    await().atMost(Duration.ofSeconds(20)).until(() -> follower.observedLeader().equals(leader.settings().identity()));
    OffsetDateTime first = awaitRenewalAfter("one-leader", renewed("one-leader"));
    OffsetDateTime second = first;
    while (!second.isAfter(first)) {
      assertThat(a.isLeader() && b.isLeader()).as("both replicas lead").isFalse();
      assertThat(leader.isLeader()).isTrue();
      Thread.sleep(20); // sampling period
      second = renewed("one-leader");
    }
    assertThat(holder("one-leader")).isEqualTo(leader.settings().identity());
    assertThat(follower.refusal()).hasValueSatisfying(r -> assertThat(r)
        .contains(follower.settings().identity()).contains("not the leader")
        .contains("leader: " + leader.settings().identity()));
    assertThat(leader.refusal()).isEmpty();
  }

  @Test
  void theFollowerTakesOverWhenTheLeaderStops() throws Exception {
    LeaseLeaderElection a = elector("failover", "replica-a").start();
    await().atMost(Duration.ofSeconds(20)).until(a::isLeader);
    OffsetDateTime before = renewed("failover");
    LeaseLeaderElection b = elector("failover", "replica-b").start();
    // the follower has tried and seen the leader, and the leader has renewed since it started
    await().atMost(Duration.ofSeconds(20)).until(() -> b.observedLeader().equals("replica-a"));
    awaitRenewalAfter("failover", before);
    assertThat(b.isLeader()).as("follower while the leader renews").isFalse();

    long stopped = System.nanoTime();
    a.close();
    assertThat(a.isLeader()).isFalse();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(b::isLeader);
    Duration takeover = Duration.ofNanos(System.nanoTime() - stopped);
    assertThat(holder("failover")).isEqualTo("replica-b");
    // the stopped leader released the Lease, so the follower did not wait for it to expire
    assertThat(takeover).isLessThan(LEASE.plus(RETRY.multipliedBy(4)));
  }

  @Test
  void aLeaseHeldByAnotherReplicaKeepsThisOneOutUntilItExpires() throws Exception {
    OffsetDateTime now = OffsetDateTime.now();
    new CoordinationV1Api(client).createNamespacedLease(ns.name(), new V1Lease()
        .metadata(new V1ObjectMeta().name("held").namespace(ns.name()))
        .spec(new V1LeaseSpec().holderIdentity("crashed-replica").leaseDurationSeconds((int) LEASE.toSeconds())
            .acquireTime(now).renewTime(now).leaseTransitions(0)))
        .execute();
    long created = System.nanoTime();
    LeaseLeaderElection a = elector("held", "replica-a").start();
    // its first attempt found the Lease held by the crashed replica
    await().atMost(LEASE.minusMillis(500)).until(() -> a.observedLeader().equals("crashed-replica"));
    AtomicInteger earlyLeads = new AtomicInteger();
    while (System.nanoTime() - created < LEASE.minusMillis(500).toNanos()) {
      if (a.isLeader()) {
        earlyLeads.incrementAndGet();
      }
      Thread.sleep(20); // sampling period
    }
    assertThat(earlyLeads).as("led while another replica's Lease was fresh").hasValue(0);
    await().atMost(Duration.ofSeconds(20)).until(a::isLeader);
    assertThat(holder("held")).isEqualTo("replica-a");
  }

  @Test
  void aReplicaThatIsNotTheLeaderWritesNoAnnotationsAndTakesNoNodeLock() throws Exception {
    LeaseLeaderElection a = elector("guard", "replica-a").start();
    await().atMost(Duration.ofSeconds(20)).until(a::isLeader);
    LeaseLeaderElection b = elector("guard", "replica-b").start();

    List<String> writes = new ArrayList<>();
    AssignmentWriter recording = (pod, changes) -> writes.add(pod.key());
    NodeLock locks = new NodeLock() {
      @Override
      public void lock(String node, String name, PodView pod) {
        writes.add("lock " + node);
      }

      @Override
      public void release(String node, String name, PodView pod) {
        writes.add("release " + node);
      }
    };
    PodView pod = new PodView("uid-p", ns.name(), "p", Map.of(), List.of(), List.of(), "", "", "");
    Map<String, Optional<String>> change = Map.of("k", Optional.of("v"));

    assertThatThrownBy(() -> b.guard(recording).patchAnnotations(pod, change))
        .isInstanceOf(AssignmentWriter.AssignmentWriteException.class)
        .hasMessageContaining("not the leader");
    assertThatThrownBy(() -> b.guard(locks).lock("n1", KubeNodeLock.ANNOTATION, pod))
        .isInstanceOf(NodeLock.NodeLockException.class)
        .hasMessageContaining("not the leader");
    b.guard(locks).release("n1", KubeNodeLock.ANNOTATION, pod);
    a.guard(recording).patchAnnotations(pod, change);
    a.guard(locks).lock("n1", KubeNodeLock.ANNOTATION, pod);
    assertThat(writes).containsExactly("release n1", pod.key(), "lock n1");
  }
}
