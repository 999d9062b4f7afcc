package io.github.volcanovgpu.bridge.scheduling;

import static io.github.volcanovgpu.bridge.testing.TestNodes.node;
import static io.github.volcanovgpu.bridge.testing.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.device.DeviceUsage;
import io.github.volcanovgpu.bridge.device.NodeUsage;
import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.simulate.InMemoryCluster;
import io.github.volcanovgpu.bridge.testing.Engines;
import io.github.volcanovgpu.bridge.vendor.nvidia.NvidiaVendor;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PlacementEngineTest {
  private final InMemoryCluster cluster = new InMemoryCluster();

  private PlacementEngine engine(SchedulingPolicy policy) {
    return Engines.over(cluster, policy);
  }

  private PodView add(PodView pod) {
    cluster.putPod(pod);
    return pod;
  }

  private static TaskView allocated(PodView pod, String node) {
    return new TaskView(pod.withNodeName(node), TaskStatus.ALLOCATED, node, Map.of());
  }

  private static TaskView withStatus(PodView pod, int status, String node) {
    return new TaskView(pod, status, node, Map.of());
  }

  private long usedMemory(PlacementEngine e, String node, int gpu) {
    return e.usage(VgpuAnnotations.DEVICE_NAME).get(node).devices().get(gpu).usedMemoryUnits();
  }

  @Test
  void predicateOnANonGpuPodAlwaysFits() {
    cluster.putNode(node("n1").withoutRegistration().build());
    assertThat(engine(SchedulingPolicy.BINPACK).predicate(TaskView.of(pod("p").plainContainer().build()),
        NodeView.named("n1"))).isEqualTo(PredicateResult.fits());
  }

  @Test
  void predicateOnANodeWithoutVgpuIsUnresolvable() {
    cluster.putNode(node("n1").withoutRegistration().build());
    PredicateResult r = engine(SchedulingPolicy.BINPACK).predicate(TaskView.of(pod("p").gpu(1, 10, 0).build()),
        NodeView.named("n1"));
    assertThat(r.code()).isEqualTo(PredicateResult.UNSCHEDULABLE_AND_UNRESOLVABLE);
    assertThat(r.reason()).contains("volcano.sh/node-vgpu-register");
  }

  @Test
  void predicateWithABadQuantityIsUnresolvableAndNamesIt() {
    cluster.putNode(node("n1").gpus(1, 1000).build());
    PodView p = pod("p").container("c", Map.of("volcano.sh/vgpu-number", "two"), Map.of()).build();
    PredicateResult r = engine(SchedulingPolicy.BINPACK).predicate(TaskView.of(p), NodeView.named("n1"));
    assertThat(r.code()).isEqualTo(3);
    assertThat(r.reason()).contains("volcano.sh/vgpu-number").contains("two");
  }

  @Test
  void predicateOnAnUnknownNodeIsAnErrorNotACrash() {
    PredicateResult r = engine(SchedulingPolicy.BINPACK).predicate(TaskView.of(pod("p").gpu(1, 10, 0).build()),
        NodeView.named("ghost"));
    assertThat(r.code()).isEqualTo(PredicateResult.ERROR);
    assertThat(r.reason()).contains("ghost");
  }

  @Test
  void allocateWritesVolcanosAnnotationsAndCountsTheShare() {
    cluster.putNode(node("n1").gpus(2, 16384).build());
    PlacementEngine e = engine(SchedulingPolicy.BINPACK);
    PodView p = add(pod("p").gpu(1, 4096, 30).build());
    assertThat(e.allocate(allocated(p, "n1"))).isEqualTo(EventResult.ok());
    Map<String, String> a = cluster.pod(p.uid()).orElseThrow().annotations();
    assertThat(a).containsEntry(VgpuAnnotations.VGPU_NODE, "n1")
        .containsEntry(VgpuAnnotations.VGPU_IDS_NEW, "GPU-n1-0,NVIDIA,4096,30:")
        .containsEntry(VgpuAnnotations.DEVICES_TO_ALLOCATE, "GPU-n1-0,NVIDIA,4096,30:")
        .containsEntry(VgpuAnnotations.BIND_PHASE, "allocating")
        .containsEntry(VgpuAnnotations.VGPU_TIME, "1795867200")
        .containsEntry(VgpuAnnotations.BIND_TIME, "1795867200");
    assertThat(usedMemory(e, "n1", 0)).isEqualTo(4096);
  }

  @Test
  void binpackStacksThreeSequentialPodsOnOneCard() {
    cluster.putNode(node("n1").split(4).gpus(3, 16384).build());
    PlacementEngine e = engine(SchedulingPolicy.BINPACK);
    List<String> picked = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      PodView p = add(pod("p" + i).gpu(1, 4096, 0).build());
      assertThat(e.predicate(TaskView.of(p), NodeView.named("n1")).isSuccess()).isTrue();
      assertThat(e.allocate(allocated(p, "n1")).isOk()).isTrue();
      cluster.bind(p.uid(), "n1");
      picked.add(cluster.pod(p.uid()).orElseThrow().annotations().get(VgpuAnnotations.VGPU_IDS_NEW));
    }
    assertThat(picked).allMatch(s -> s.startsWith("GPU-n1-0,"));
  }

  @Test
  void spreadPutsSequentialPodsOnDifferentCards() {
    cluster.putNode(node("n1").split(4).gpus(3, 16384).build());
    PlacementEngine e = engine(SchedulingPolicy.SPREAD);
    List<String> picked = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      PodView p = add(pod("p" + i).gpu(1, 4096, 0).build());
      assertThat(e.allocate(allocated(p, "n1")).isOk()).isTrue();
      picked.add(cluster.pod(p.uid()).orElseThrow().annotations().get(VgpuAnnotations.VGPU_IDS_NEW));
    }
    assertThat(picked).containsExactly(
        "GPU-n1-0,NVIDIA,4096,0:", "GPU-n1-1,NVIDIA,4096,0:", "GPU-n1-2,NVIDIA,4096,0:");
  }

  @Test
  void allocateRechecksTheFitAgainstTheLiveLedger() {
    cluster.putNode(node("n1").gpus(1, 8192).build());
    PlacementEngine e = engine(SchedulingPolicy.BINPACK);
    PodView a = add(pod("a").gpu(1, 6000, 0).build());
    PodView b = add(pod("b").gpu(1, 6000, 0).build());
    // both pass predicate concurrently (Volcano's 16 workers) ...
    assertThat(e.predicate(TaskView.of(a), NodeView.named("n1")).isSuccess()).isTrue();
    assertThat(e.predicate(TaskView.of(b), NodeView.named("n1")).isSuccess()).isTrue();
    // ... but only one may be allocated
    assertThat(e.allocate(allocated(a, "n1")).isOk()).isTrue();
    EventResult second = e.allocate(allocated(b, "n1"));
    assertThat(second.errorMessage()).contains("refused").contains("INSUFFICIENT_MEMORY");
    assertThat(cluster.pod(b.uid()).orElseThrow().annotations()).doesNotContainKey(VgpuAnnotations.VGPU_IDS_NEW);
  }

  @Test
  void predicateSeesInFlightReservationsBeforeTheCacheDoes() {
    cluster.putNode(node("n1").gpus(1, 8192).build());
    CountingWriter slowCache = new CountingWriter(); // annotations never reach the cache
    PlacementEngine e = new PlacementEngine(NvidiaVendor.volcanoDefaults(), cluster, slowCache,
        NodeLock.DISABLED, EngineConfig.defaults(), Engines.FIXED);
    PodView a = add(pod("a").gpu(1, 6000, 0).build());
    assertThat(e.allocate(allocated(a, "n1")).isOk()).isTrue();
    PodView b = add(pod("b").gpu(1, 6000, 0).build());
    assertThat(e.predicate(TaskView.of(b), NodeView.named("n1")).code()).isEqualTo(2);
    assertThat(e.reservations()).isEqualTo(1);
  }

  @Test
  void reservationIsDroppedOnceTheCacheShowsTheAnnotations() {
    cluster.putNode(node("n1").gpus(1, 8192).build());
    PlacementEngine e = engine(SchedulingPolicy.BINPACK);
    PodView a = add(pod("a").gpu(1, 6000, 0).build());
    e.allocate(allocated(a, "n1"));
    cluster.bind(a.uid(), "n1");
    assertThat(usedMemory(e, "n1", 0)).isEqualTo(6000); // counted once, not twice
    assertThat(e.reservations()).isZero();
  }

  @Test
  void rollbackRemovesOurAnnotationsAndFreesTheCard() {
    cluster.putNode(node("n1").gpus(1, 8192).build());
    PlacementEngine e = engine(SchedulingPolicy.BINPACK);
    PodView a = add(pod("a").gpu(1, 6000, 0).build());
    e.allocate(allocated(a, "n1"));
    // gang not ready: Volcano resets the task to Pending and calls deallocateFunc with the node still set
    assertThat(e.deallocate(withStatus(a.withNodeName(""), TaskStatus.PENDING, "n1")).isOk()).isTrue();
    assertThat(cluster.pod(a.uid()).orElseThrow().annotations())
        .doesNotContainKeys(VgpuAnnotations.ALLOCATION_KEYS.toArray(String[]::new));
    PodView b = add(pod("b").gpu(1, 6000, 0).build());
    assertThat(e.allocate(allocated(b, "n1")).isOk()).isTrue();
  }

  @Test
  void deallocateNeverTouchesAStartedPod() {
    cluster.putNode(node("n1").gpus(1, 8192).build());
    PodView started = add(pod("s").gpu(1, 1000, 0).onNode("n1")
        .annotation(VgpuAnnotations.VGPU_IDS_NEW, "GPU-n1-0,NVIDIA,1000,0:")
        .annotation(VgpuAnnotations.BIND_PHASE, "success").build());
    PlacementEngine e = engine(SchedulingPolicy.BINPACK);
    assertThat(e.deallocate(withStatus(started, TaskStatus.PENDING, "n1")).isOk()).isTrue();
    assertThat(cluster.pod(started.uid()).orElseThrow().annotations())
        .containsEntry(VgpuAnnotations.BIND_PHASE, "success")
        .containsKey(VgpuAnnotations.VGPU_IDS_NEW);
    assertThat(cluster.patchCount()).isZero();
  }

  @Test
  void evictedVictimFreesItsShareForPipeliningAndUnevictRestoresIt() {
    cluster.putNode(node("n1").gpus(1, 8192).build());
    PodView victim = add(pod("v").gpu(1, 8000, 0).onNode("n1").phase("Running")
        .annotation(VgpuAnnotations.VGPU_NODE, "n1")
        .annotation(VgpuAnnotations.VGPU_IDS_NEW, "GPU-n1-0,NVIDIA,8000,0:")
        .annotation(VgpuAnnotations.BIND_PHASE, "success").build());
    PlacementEngine e = engine(SchedulingPolicy.BINPACK);
    PodView preemptor = add(pod("hi").gpu(1, 8000, 0).build());
    assertThat(e.predicate(TaskView.of(preemptor), NodeView.named("n1")).code()).isEqualTo(2);

    e.deallocate(withStatus(victim, TaskStatus.RELEASING, "n1"));
    assertThat(e.allocate(withStatus(preemptor, TaskStatus.PIPELINED, "n1")).isOk()).isTrue();
    assertThat(cluster.pod(preemptor.uid()).orElseThrow().annotations())
        .as("pipelining writes nothing").doesNotContainKey(VgpuAnnotations.VGPU_IDS_NEW);

    // the statement is discarded: the preemptor is un-pipelined, the victim restored
    e.deallocate(withStatus(preemptor, TaskStatus.PENDING, "n1"));
    e.allocate(withStatus(victim, TaskStatus.RUNNING, "n1"));
    assertThat(usedMemory(e, "n1", 0)).isEqualTo(8000);
  }

  @Test
  void staleAnnotationsThatTheBindingWouldRestoreAreClearedAndTheAllocationFails() {
    cluster.putNode(node("n1").gpus(2, 8192).build());
    cluster.putNode(node("n2").gpus(2, 8192).build());
    PodView p = add(pod("p").gpu(1, 1000, 0)
        .annotation(VgpuAnnotations.VGPU_NODE, "n2")
        .annotation(VgpuAnnotations.VGPU_IDS_NEW, "GPU-n2-1,NVIDIA,1000,0:")
        .annotation(VgpuAnnotations.BIND_PHASE, "allocating").build());
    PlacementEngine e = engine(SchedulingPolicy.BINPACK);
    TaskView task = new TaskView(p.withNodeName("n1"), TaskStatus.ALLOCATED, "n1", p.annotations());
    EventResult r = e.allocate(task);
    assertThat(r.errorMessage()).contains("earlier attempt");
    assertThat(cluster.pod(p.uid()).orElseThrow().annotations()).doesNotContainKey(VgpuAnnotations.VGPU_IDS_NEW);
    assertThat(e.reservations()).isZero();
  }

  @Test
  void staleAnnotationsEqualToTheNewAssignmentAreHarmless() {
    cluster.putNode(node("n1").gpus(1, 8192).build());
    PodView p = add(pod("p").gpu(1, 1000, 0)
        .annotation(VgpuAnnotations.VGPU_NODE, "n1")
        .annotation(VgpuAnnotations.VGPU_IDS_NEW, "GPU-n1-0,NVIDIA,1000,0:").build());
    PlacementEngine e = engine(SchedulingPolicy.BINPACK);
    assertThat(e.allocate(allocated(p, "n1")).isOk()).isTrue();
  }

  @Test
  void writeFailureReleasesTheReservationAndTheNodeLock() {
    cluster.putNode(node("n1").gpus(1, 8192).build());
    RecordingLock lock = new RecordingLock();
    PlacementEngine e = new PlacementEngine(NvidiaVendor.volcanoDefaults(), cluster,
        (pod, changes) -> {
          throw new AssignmentWriter.AssignmentWriteException("pod " + pod.key() + ": 409 Conflict");
        }, lock, EngineConfig.defaults(), Engines.FIXED);
    PodView p = add(pod("p").gpu(1, 1000, 0).build());
    assertThat(e.allocate(allocated(p, "n1")).errorMessage()).contains("409 Conflict");
    assertThat(e.reservations()).isZero();
    assertThat(lock.locked.get()).isEqualTo(1);
    assertThat(lock.released.get()).isEqualTo(1);
  }

  @Test
  void unexpectedWriterFailureStillReleasesTheReservation() {
    cluster.putNode(node("n1").gpus(1, 8192).build());
    PlacementEngine e = new PlacementEngine(NvidiaVendor.volcanoDefaults(), cluster,
        (pod, changes) -> {
          throw new IllegalStateException("connection pool shut down");
        }, NodeLock.DISABLED, EngineConfig.defaults(), Engines.FIXED);
    PodView p = add(pod("p").gpu(1, 8000, 0).build());
    assertThat(e.allocate(allocated(p, "n1")).errorMessage()).contains("connection pool shut down");
    assertThat(e.reservations()).isZero();
    PodView q = add(pod("q").gpu(1, 8000, 0).build());
    assertThat(e.predicate(TaskView.of(q), NodeView.named("n1")).isSuccess()).isTrue();
  }

  @Test
  void lockedNodeFailsTheAllocationWithTheLockReason() {
    cluster.putNode(node("n1").gpus(1, 8192).build());
    NodeLock busy = new NodeLock() {
      @Override
      public void lock(String node, String name, PodView pod) {
        throw new NodeLockException("node " + node + " has been locked within 5 minutes");
      }

      @Override
      public void release(String node, String name, PodView pod) {}
    };
    PlacementEngine e = new PlacementEngine(NvidiaVendor.volcanoDefaults(), cluster, cluster, busy,
        EngineConfig.defaults(), Engines.FIXED);
    PodView p = add(pod("p").gpu(1, 1000, 0).build());
    assertThat(e.allocate(allocated(p, "n1")).errorMessage()).contains("locked within 5 minutes");
    assertThat(e.reservations()).isZero();
  }

  @Test
  void fallbackWithoutCacheReadsTheNodeFromTheRequestAndRemembersItForAllocate() {
    CountingWriter writer = new CountingWriter();
    PlacementEngine e = Engines.fallback(writer, SchedulingPolicy.BINPACK);
    assertThat(e.needsNodeDetails()).isTrue();
    PodView existing = pod("old").gpu(1, 7000, 0).onNode("n1")
        .annotation(VgpuAnnotations.VGPU_IDS_NEW, "GPU-n1-0,NVIDIA,7000,0:").build();
    NodeView n1 = node("n1").gpus(1, 8192).pod(existing).build();
    PodView p = pod("p").gpu(1, 2000, 0).build();
    assertThat(e.predicate(TaskView.of(p), n1).code()).isEqualTo(2);
    PodView small = pod("s").gpu(1, 1000, 0).build();
    assertThat(e.predicate(TaskView.of(small), n1).isSuccess()).isTrue();
    assertThat(e.allocate(allocated(small, "n1")).isOk()).isTrue();
    assertThat(writer.calls.get()).isEqualTo(1);
    assertThat(e.predicate(TaskView.of(pod("t").gpu(1, 1000, 0).build()), NodeView.named("n1")).code())
        .as("the reservation counts even before the Tasks show it").isEqualTo(2);
  }

  @Test
  void sidecarRestartRebuildsTheLedgerFromAnnotationsWithoutDoubleAssignment() {
    cluster.putNode(node("n1").split(2).gpus(1, 8192).build());
    PlacementEngine first = engine(SchedulingPolicy.BINPACK);
    PodView a = add(pod("a").gpu(1, 4000, 0).build());
    assertThat(first.allocate(allocated(a, "n1")).isOk()).isTrue();
    // the sidecar dies before Volcano binds; a new one starts from the API server's state
    PlacementEngine second = engine(SchedulingPolicy.BINPACK);
    cluster.bind(a.uid(), "n1");
    PodView b = add(pod("b").gpu(1, 5000, 0).build());
    assertThat(second.allocate(allocated(b, "n1")).isOk()).isFalse();
    assertThat(second.usage(VgpuAnnotations.DEVICE_NAME).get("n1").devices().get(0).usedMemoryUnits()).isEqualTo(4000);
  }

  @Test
  void prioritizeScoresFittingNodesAndZeroesTheOthers() {
    cluster.putNode(node("busy").gpus(1, 10000).build());
    cluster.putNode(node("idle").gpus(1, 10000).build());
    cluster.putNode(node("small").gpus(1, 100).build());
    add(pod("x").gpu(1, 5000, 0).onNode("busy").annotation(VgpuAnnotations.VGPU_IDS_NEW,
        "GPU-busy-0,NVIDIA,5000,0:").build());
    PlacementEngine e = engine(SchedulingPolicy.BINPACK);
    PrioritizeResult r = e.prioritize(TaskView.of(pod("p").gpu(1, 1000, 0).build()),
        List.of(NodeView.named("busy"), NodeView.named("idle"), NodeView.named("small")));
    assertThat(r.nodeScores()).containsEntry("busy", 60.0).containsEntry("idle", 10.0).containsEntry("small", 0.0);
    assertThat(r.errorMessage()).isEmpty();
  }

  @Test
  void sixtyFourConcurrentAllocationsOnOneNodeNeverOvercommit() throws Exception {
    cluster.putNode(node("n1").split(10).gpus(2, 16000).build());
    PlacementEngine e = engine(SchedulingPolicy.BINPACK);
    List<Callable<EventResult>> calls = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      PodView p = add(pod("p" + i).gpu(1, 3000, 15).build());
      calls.add(() -> e.allocate(allocated(p, "n1")));
    }
    ExecutorService pool = Executors.newFixedThreadPool(16);
    int ok = 0;
    try {
      for (Future<EventResult> f : pool.invokeAll(calls)) {
        ok += f.get().isOk() ? 1 : 0;
      }
    } finally {
      pool.shutdownNow();
    }
    NodeUsage<?> u = e.usage(VgpuAnnotations.DEVICE_NAME).get("n1");
    for (DeviceUsage<?> g : u.devices()) {
      assertThat(g.usedMemoryUnits()).isLessThanOrEqualTo(16000);
      assertThat(g.usedCoresPercent()).isLessThanOrEqualTo(100);
      assertThat(g.usedShares()).isLessThanOrEqualTo(10);
    }
    assertThat(ok).isEqualTo(10); // 5 x 3000 MiB per 16000 MiB card, 2 cards
    long annotated = cluster.pods().stream()
        .filter(p -> p.annotations().containsKey(VgpuAnnotations.VGPU_IDS_NEW)).count();
    assertThat(annotated).isEqualTo(ok);
  }

  /** A writer that accepts everything and counts (the cache never sees the writes). */
  static final class CountingWriter implements AssignmentWriter {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public void patchAnnotations(PodView pod, Map<String, Optional<String>> changes) {
      calls.incrementAndGet();
    }
  }

  static final class RecordingLock implements NodeLock {
    final AtomicInteger locked = new AtomicInteger();
    final AtomicInteger released = new AtomicInteger();

    @Override
    public void lock(String node, String name, PodView pod) {
      locked.incrementAndGet();
    }

    @Override
    public void release(String node, String name, PodView pod) {
      released.incrementAndGet();
    }
  }
}
