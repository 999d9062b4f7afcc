package io.github.volcanovgpu.bridge.kinds;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.device.DeviceUsage;
import io.github.volcanovgpu.bridge.device.DeviceVendor;
import io.github.volcanovgpu.bridge.device.NodeUsage;
import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.EngineConfig;
import io.github.volcanovgpu.bridge.scheduling.EventResult;
import io.github.volcanovgpu.bridge.scheduling.EvictionResult;
import io.github.volcanovgpu.bridge.scheduling.Explanation;
import io.github.volcanovgpu.bridge.scheduling.NodeLock;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.scheduling.PredicateResult;
import io.github.volcanovgpu.bridge.simulate.InMemoryCluster;
import io.github.volcanovgpu.bridge.testing.Engines;
import io.github.volcanovgpu.bridge.vendor.VendorCatalog;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The scenarios every device kind passes, through the scheduling core with every shipped kind configured (as the
 * sidecar runs): fit, refusal with a reason, the ledger rebuilt from the annotations alone, release, capacity never
 * exceeded, malformed registrations and requests. A kind plugs in its fixtures.
 */
abstract class DeviceKindContract {
  protected final InMemoryCluster cluster = new InMemoryCluster();

  /** The kind's name as the engine knows it (its ledger key). */
  protected abstract String kind();

  /** A node named {@code name} with devices of the kind. */
  protected abstract NodeView node(String name);

  /** A pod asking one share that fits {@link #node}. */
  protected abstract PodView fittingPod(String name);

  /** How many {@link #fittingPod}s one {@link #node} holds. */
  protected abstract int capacity();

  /** A pod asking more than any {@link #node} has. */
  protected abstract PodView tooBigPod(String name);

  /** A node whose registration of the kind is malformed. */
  protected abstract NodeView malformedNode(String name);

  /** A pod whose request of the kind cannot be read. */
  protected abstract PodView invalidPod(String name);

  protected DeviceConfig config() {
    return DeviceConfig.defaults();
  }

  protected PlacementEngine engine() {
    return new PlacementEngine(VendorCatalog.kinds(config()), cluster, cluster, NodeLock.DISABLED,
        EngineConfig.defaults().withPolicy(SchedulingPolicy.BINPACK), Engines.FIXED);
  }

  private DeviceVendor<?> vendor(PlacementEngine e) {
    return e.kinds().all().stream().filter(k -> k.deviceName().equals(kind())).findFirst().orElseThrow();
  }

  private PodView submit(PodView pod) {
    cluster.putPod(pod);
    return pod;
  }

  private static TaskView allocated(PodView pod, String node) {
    return new TaskView(pod.withNodeName(node), TaskStatus.ALLOCATED, node, Map.of());
  }

  private static long shares(NodeUsage<?> usage) {
    return usage.devices().stream().mapToLong(DeviceUsage::usedShares).sum();
  }

  @Test
  void aFittingPodIsPlacedAndItsAnnotationsAloneRebuildTheLedger() {
    cluster.putNode(node("n1"));
    PlacementEngine first = engine();
    PodView p = submit(fittingPod("p"));
    assertThat(first.predicate(TaskView.of(p), NodeView.named("n1")).isSuccess()).isTrue();
    assertThat(first.allocate(allocated(p, "n1")).isOk()).isTrue();
    cluster.bind(p.uid(), "n1");

    PodView annotated = cluster.pod(p.uid()).orElseThrow();
    List<DeviceSlice> slices = vendor(first).assigned(annotated).allSlices();
    assertThat(slices).isNotEmpty();
    NodeUsage<?> live = first.usage(kind()).get("n1");
    NodeUsage<?> rebuilt = engine().usage(kind()).get("n1");
    assertThat(rebuilt).isEqualTo(live);
    assertThat(shares(rebuilt)).isEqualTo(slices.size());
  }

  @Test
  void theNodeIsNeverGivenMoreThanItHolds() {
    cluster.putNode(node("n1"));
    PlacementEngine e = engine();
    for (int i = 0; i < capacity(); i++) {
      PodView p = submit(fittingPod("p" + i));
      assertThat(e.allocate(allocated(p, "n1"))).as("pod %d of %d", i, capacity()).isEqualTo(EventResult.ok());
    }
    PodView extra = submit(fittingPod("extra"));
    EventResult refused = e.allocate(allocated(extra, "n1"));
    assertThat(refused.isOk()).isFalse();
    assertThat(refused.errorMessage()).contains("refused").contains("n1");
    assertThat(e.predicate(TaskView.of(extra), NodeView.named("n1")).isSuccess()).isFalse();
    assertThat(cluster.pod(extra.uid()).orElseThrow().annotations()).isEmpty();
  }

  @Test
  void onAFullNodeExplainGivesThePredicatesMessageEachDevicesCodeAndOnePodWhoseLeavingSuffices() {
    cluster.putNode(node("n1"));
    PlacementEngine e = engine();
    List<TaskView> running = new java.util.ArrayList<>();
    for (int i = 0; i < capacity(); i++) {
      PodView p = submit(fittingPod("p" + i));
      assertThat(e.allocate(allocated(p, "n1"))).isEqualTo(EventResult.ok());
      cluster.bind(p.uid(), "n1");
      PodView bound = cluster.pod(p.uid()).orElseThrow();
      running.add(new TaskView(bound, TaskStatus.RUNNING, "n1", bound.annotations()));
    }
    PodView extra = submit(fittingPod("extra"));

    Explanation.NodeExplanation n1 = e.explain(extra).nodes().stream().filter(n -> n.node().equals("n1"))
        .findFirst().orElseThrow();

    PredicateResult predicate = e.predicate(TaskView.of(extra), NodeView.named("n1"));
    assertThat(n1.fits()).isFalse();
    assertThat(n1.message()).isEqualTo(predicate.reason());
    assertThat(n1.resolvable()).isEqualTo(predicate.code() == PredicateResult.UNSCHEDULABLE).isTrue();
    assertThat(n1.kind()).isEqualTo(kind());
    assertThat(n1.devices()).hasSize(e.usage(kind()).get("n1").devices().size());
    assertThat(n1.devices()).anySatisfy(d -> assertThat(d.refusal()).isNotEmpty());
    for (Explanation.DeviceExplanation d : n1.devices()) {
      if (!d.refusal().isEmpty()) {
        assertThat(n1.message()).contains(d.refusal());
      }
    }
    assertThat(n1.relief()).hasSize(1);
    EvictionResult victims = e.victims(TaskView.of(extra), running);
    assertThat(victims.status()).isEqualTo(EvictionResult.PERMIT);
    assertThat(victims.victimUids()).hasSize(1);
  }

  @Test
  void aPodThatCannotFitIsRefusedWithAReasonNamingTheNode() {
    cluster.putNode(node("n1"));
    PredicateResult r = engine().predicate(TaskView.of(submit(tooBigPod("big"))), NodeView.named("n1"));
    assertThat(r.isSuccess()).isFalse();
    assertThat(r.reason()).contains("n1");
  }

  @Test
  void deallocateReleasesTheShareAndRemovesEveryKeyItWrote() {
    cluster.putNode(node("n1"));
    PlacementEngine e = engine();
    PodView p = submit(fittingPod("p"));
    assertThat(e.allocate(allocated(p, "n1")).isOk()).isTrue();
    PodView annotated = cluster.pod(p.uid()).orElseThrow();
    assertThat(annotated.annotations()).isNotEmpty();
    assertThat(e.deallocate(new TaskView(annotated, TaskStatus.ALLOCATED, "n1", Map.of())).isOk()).isTrue();
    assertThat(cluster.pod(p.uid()).orElseThrow().annotations()).isEmpty();
    assertThat(shares(e.usage(kind()).get("n1"))).isZero();
    assertThat(e.reservations()).isZero();
  }

  @Test
  void aMalformedRegistrationRejectsThatNodeOnly() {
    cluster.putNode(malformedNode("bad"));
    cluster.putNode(node("good"));
    PlacementEngine e = engine();
    PodView p = submit(fittingPod("p"));
    PredicateResult bad = e.predicate(TaskView.of(p), NodeView.named("bad"));
    assertThat(bad.isSuccess()).isFalse();
    assertThat(bad.reason()).contains("bad");
    assertThat(e.predicate(TaskView.of(p), NodeView.named("good")).isSuccess()).isTrue();
    assertThat(e.usage(kind())).containsOnlyKeys("good");
  }

  @Test
  void anUnreadableRequestIsRefusedAndLeavesNothingBehind() {
    cluster.putNode(node("n1"));
    PlacementEngine e = engine();
    PodView p = submit(invalidPod("p"));
    PredicateResult r = e.predicate(TaskView.of(p), NodeView.named("n1"));
    assertThat(r.isSuccess()).isFalse();
    assertThat(r.reason()).contains("pod default/p");
    assertThat(e.allocate(allocated(p, "n1")).isOk()).isFalse();
    assertThat(e.reservations()).isZero();
    assertThat(cluster.pod(p.uid()).orElseThrow().annotations()).isEmpty();
    assertThat(shares(e.usage(kind()).get("n1"))).isZero();
  }
}
