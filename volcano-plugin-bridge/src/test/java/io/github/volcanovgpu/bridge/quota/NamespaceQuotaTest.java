package io.github.volcanovgpu.bridge.quota;

import static io.github.volcanovgpu.bridge.testing.TestNodes.node;
import static io.github.volcanovgpu.bridge.testing.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.DeviceKinds;
import io.github.volcanovgpu.bridge.scheduling.EngineConfig;
import io.github.volcanovgpu.bridge.scheduling.EventResult;
import io.github.volcanovgpu.bridge.scheduling.NodeLock;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.scheduling.PredicateResult;
import io.github.volcanovgpu.bridge.simulate.InMemoryCluster;
import io.github.volcanovgpu.bridge.testing.Engines;
import io.github.volcanovgpu.bridge.vendor.nvidia.NvidiaVendor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Device quotas held by the engine: usage from its ledger, per namespace, in the predicate as well. */
class NamespaceQuotaTest {
  private final InMemoryCluster cluster = new InMemoryCluster();

  private PlacementEngine engine(Quota... quotas) {
    cluster.putNode(node("n1").gpus(4, 16000).build());
    return new PlacementEngine(DeviceKinds.of(NvidiaVendor.volcanoDefaults()), cluster, cluster, NodeLock.DISABLED,
        EngineConfig.defaults(), Engines.FIXED, QuotaSource.of(List.of(quotas)));
  }

  private static Quota gpuMemory(String ns, String limit) {
    return Quota.fromHard(ns, "gpu", Map.of("limits.volcano.sh/vgpu-memory", limit));
  }

  private static void allocate(PlacementEngine e, PodView p) {
    EventResult r = e.allocate(new TaskView(p.withNodeName("n1"), TaskStatus.ALLOCATED, "n1", Map.of()));
    assertThat(r.errorMessage()).isEmpty();
  }

  @Test
  void usedIsWhatTheLedgerHoldsForTheNamespaceOnly() {
    PlacementEngine e = engine(gpuMemory("team-a", "10000"));
    allocate(e, cluster.submit(pod("a1").namespace("team-a").gpu(1, 6000, 0).build()));
    allocate(e, cluster.submit(pod("b1").namespace("team-b").gpu(1, 9000, 0).build()));

    assertThat(e.quotaBreach(pod("a2").namespace("team-a").gpu(1, 4000, 0).build())).isEmpty();
    assertThat(e.quotaBreach(pod("a3").namespace("team-a").gpu(1, 4001, 0).build()).orElseThrow().message())
        .isEqualTo("exceeding resource quota team-a/gpu: limits.volcano.sh/vgpu-memory asks 4001, used 6000, "
            + "allowed 10000");
    assertThat(e.quotaBreach(pod("b2").namespace("team-b").gpu(1, 15000, 0).build())).isEmpty();
  }

  @Test
  void aPodIsNotCountedAgainstItself() {
    PlacementEngine e = engine(gpuMemory("team-a", "6000"));
    PodView a1 = cluster.submit(pod("a1").namespace("team-a").gpu(1, 6000, 0).build());
    allocate(e, a1);

    assertThat(e.quotaBreach(a1)).isEmpty();
  }

  @Test
  void anExplicitZeroAllowsNoDevice() {
    PlacementEngine e = engine(Quota.fromHard("team-a", "none", Map.of("limits.volcano.sh/vgpu-number", "0")));

    assertThat(e.quotaBreach(pod("a1").namespace("team-a").gpu(1, 100, 0).build()).orElseThrow().message())
        .contains("limits.volcano.sh/vgpu-number asks 1, used 0, allowed 0");
    assertThat(e.quotaBreach(pod("plain").namespace("team-a").plainContainer().build())).isEmpty();
  }

  @Test
  void thePredicateHoldsTheQuotaForPodsAdmittedBeforeIt() {
    PlacementEngine e = engine(gpuMemory("team-a", "8000"));
    allocate(e, cluster.submit(pod("a1").namespace("team-a").gpu(1, 6000, 0).build()));

    PredicateResult r = e.predicate(TaskView.of(pod("a2").namespace("team-a").gpu(1, 3000, 0).build()),
        NodeView.named("n1"));

    assertThat(r.code()).isEqualTo(PredicateResult.UNSCHEDULABLE);
    assertThat(r.reason()).contains("exceeding resource quota team-a/gpu")
        .contains("limits.volcano.sh/vgpu-memory asks 3000, used 6000, allowed 8000");
    assertThat(e.predicate(TaskView.of(pod("a3").namespace("team-a").gpu(1, 2000, 0).build()),
        NodeView.named("n1"))).isEqualTo(PredicateResult.fits());
  }

  @Test
  void allocateRechecksTheQuotaAfterThePredicatesVerdict() {
    PlacementEngine e = engine(gpuMemory("team-a", "8000"));
    PodView a1 = cluster.submit(pod("a1").namespace("team-a").gpu(1, 6000, 0).build());
    PodView a2 = cluster.submit(pod("a2").namespace("team-a").gpu(1, 6000, 0).build());
    assertThat(e.predicate(TaskView.of(a1), NodeView.named("n1"))).isEqualTo(PredicateResult.fits());
    assertThat(e.predicate(TaskView.of(a2), NodeView.named("n1"))).isEqualTo(PredicateResult.fits());
    allocate(e, a1);

    EventResult r = e.allocate(new TaskView(a2.withNodeName("n1"), TaskStatus.ALLOCATED, "n1", Map.of()));

    assertThat(r.errorMessage()).contains("refused: exceeding resource quota team-a/gpu");
  }

  @Test
  void entriesNamingNoDeviceResourceAreNotTheChecksBusiness() {
    PlacementEngine e = engine(Quota.fromHard("team-a", "other",
        Map.of("limits.cpu", "1", "requests.volcano.sh/vgpu-memory", "1", "pods", "1")));

    assertThat(e.quotaBreach(pod("a1").namespace("team-a").gpu(1, 5000, 0).build())).isEmpty();
  }

  @Test
  void percentagesAndWholeCardsCountAtTheLargestKnownCard() {
    PlacementEngine e = engine(gpuMemory("team-a", "20000"));

    assertThat(e.quotaBreach(pod("whole").namespace("team-a").gpu(1, 0, 0).build())).isEmpty();
    assertThat(e.quotaBreach(pod("two").namespace("team-a").gpu(2, 0, 0).build()).orElseThrow().message())
        .contains("asks 32000");
  }

  @Test
  void aScopedQuotaCountsAndHoldsOnlyThePodsItsScopeSelects() {
    Quota high = Quota.fromHard("team-a", "high", Map.of("limits.volcano.sh/vgpu-memory", "8000"),
        QuotaScope.of(List.of(), List.of(new QuotaScope.Requirement("PriorityClass", "In", java.util.Set.of("high")))));
    PlacementEngine e = engine(high);
    PodScope highScope = new PodScope(false, false, "high", false);
    PodScope lowScope = new PodScope(false, false, "low", false);
    PodView h1 = cluster.submit(pod("h1").namespace("team-a").gpu(1, 5000, 0).build());
    cluster.putScope(h1.uid(), highScope);
    allocate(e, h1);
    PodView l1 = cluster.submit(pod("l1").namespace("team-a").gpu(1, 9000, 0).build());
    cluster.putScope(l1.uid(), lowScope);
    allocate(e, l1);

    assertThat(e.quotaBreach(pod("h2").namespace("team-a").gpu(1, 3000, 0).build(), java.util.Optional.of(highScope)))
        .isEmpty();
    assertThat(e.quotaBreach(pod("h3").namespace("team-a").gpu(1, 3001, 0).build(), java.util.Optional.of(highScope))
        .orElseThrow().message()).isEqualTo("exceeding resource quota team-a/high: limits.volcano.sh/vgpu-memory "
            + "asks 3001, used 5000, allowed 8000");
    assertThat(e.quotaBreach(pod("l2").namespace("team-a").gpu(1, 16000, 0).build(), java.util.Optional.of(lowScope)))
        .isEmpty();
    assertThat(e.quotaBreach(pod("unknown").namespace("team-a").gpu(1, 3001, 0).build())).as("unknown scope: held")
        .isPresent();
  }
}
