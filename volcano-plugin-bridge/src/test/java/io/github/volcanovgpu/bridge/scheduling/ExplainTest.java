package io.github.volcanovgpu.bridge.scheduling;

import static io.github.volcanovgpu.bridge.testing.TestNodes.node;
import static io.github.volcanovgpu.bridge.testing.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.device.PodGroups;
import io.github.volcanovgpu.bridge.device.RefusalCause;
import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.Explanation.DeviceExplanation;
import io.github.volcanovgpu.bridge.scheduling.Explanation.NodeExplanation;
import io.github.volcanovgpu.bridge.scheduling.Explanation.PodExplanation;
import io.github.volcanovgpu.bridge.simulate.InMemoryCluster;
import io.github.volcanovgpu.bridge.testing.Engines;
import io.github.volcanovgpu.contract.device.GpuMode;
import io.github.volcanovgpu.contract.device.RegisteredGpu;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExplainTest {
  private final InMemoryCluster cluster = new InMemoryCluster();
  private final PlacementEngine engine = Engines.over(cluster, SchedulingPolicy.BINPACK);

  /** Places the pod on the node through allocate and binds it, as Volcano would. */
  private PodView running(PodView pod, String node) {
    cluster.putPod(pod);
    EventResult r = engine.allocate(new TaskView(pod.withNodeName(node), TaskStatus.ALLOCATED, node, Map.of()));
    assertThat(r.isOk()).as(r.errorMessage()).isTrue();
    cluster.bind(pod.uid(), node);
    return cluster.pod(pod.uid()).orElseThrow();
  }

  private PodView pending(PodView pod) {
    cluster.putPod(pod);
    return pod;
  }

  private static NodeExplanation on(PodExplanation p, String node) {
    return p.nodes().stream().filter(n -> n.node().equals(node)).findFirst().orElseThrow();
  }

  @Test
  void aPodShortOfMemoryOnEveryCardNamesEachCardsReasonAndTheSmallestPodThatFreesOne() {
    cluster.putNode(node("n1").split(4).gpus(2, 16384).build());
    running(pod("a").gpu(1, 12000, 0).build(), "n1"); // card 0
    running(pod("b").gpu(1, 13000, 0).build(), "n1"); // card 1
    running(pod("c").gpu(1, 4000, 0).build(), "n1"); // card 0 (binpack)
    PodView big = pending(pod("big").gpu(1, 10000, 0).build());

    PodExplanation e = engine.explain(big);

    assertThat(e.asksDevices()).isTrue();
    assertThat(e.fitsOn()).isEmpty();
    NodeExplanation n1 = on(e, "n1");
    assertThat(n1.fits()).isFalse();
    assertThat(n1.refusal().orElseThrow().cause()).isEqualTo(RefusalCause.DEVICES_REFUSED);
    assertThat(n1.resolvable()).isTrue();
    assertThat(n1.kind()).isEqualTo("hamivgpu");
    assertThat(n1.container()).isEqualTo("c0");
    assertThat(n1.devices()).extracting(DeviceExplanation::id, DeviceExplanation::memoryUsedUnits,
        DeviceExplanation::refusal)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("GPU-n1-0", 16000L, "INSUFFICIENT_MEMORY"),
            org.assertj.core.groups.Tuple.tuple("GPU-n1-1", 13000L, "INSUFFICIENT_MEMORY"));
    assertThat(n1.devices().get(0).pods()).containsExactlyInAnyOrder("default/a", "default/c");
    // a alone (12000) or b alone (13000) frees enough; c (4000) does not; the smaller share goes first
    assertThat(n1.relief()).containsExactly("default/a");
  }

  @Test
  void whenOnePodLeavingIsNotEnoughTheReliefNamesEveryPodNeededAndNoMore() {
    cluster.putNode(node("n1").split(4).gpus(1, 16384).build());
    running(pod("x").gpu(1, 6000, 0).build(), "n1");
    running(pod("y").gpu(1, 6000, 0).build(), "n1");
    running(pod("tiny").gpu(1, 100, 0).build(), "n1");
    PodView z = pending(pod("z").gpu(1, 14000, 0).build());

    assertThat(on(engine.explain(z), "n1").relief()).containsExactly("default/x", "default/y");
  }

  @Test
  void aRefusalNoEvictionCanLiftHasNoReliefAndSaysSo() {
    cluster.putNode(node("n1").gpus(2, 8192).build());
    cluster.putNode(node("cpu").withoutRegistration().build());
    PodView huge = pending(pod("huge").gpu(1, 9000, 0).build());

    PodExplanation e = engine.explain(huge);

    NodeExplanation n1 = on(e, "n1");
    assertThat(n1.resolvable()).isFalse();
    assertThat(n1.relief()).isEmpty();
    assertThat(n1.devices()).extracting(DeviceExplanation::refusal).containsOnly("CARD_MEMORY_TOO_SMALL");
    NodeExplanation cpu = on(e, "cpu");
    assertThat(cpu.refusal().orElseThrow().cause()).isEqualTo(RefusalCause.NOT_REGISTERED);
    assertThat(cpu.devices()).isEmpty();
  }

  @Test
  void anUnhealthyCardAndATypeAnnotationAreReportedPerCard() {
    cluster.putNode(node("n1")
        .gpu(new RegisteredGpu("GPU-sick", 0, 10, 16384, "NVIDIA-NVIDIA A100-PCIE-40GB", false, GpuMode.HAMI_CORE))
        .gpu(new RegisteredGpu("GPU-t4", 0, 10, 16384, "NVIDIA-Tesla T4", true, GpuMode.HAMI_CORE))
        .build());
    PodView p = pending(pod("p").gpu(1, 1000, 0).annotation("nvidia.com/use-gputype", "A100").build());

    NodeExplanation n1 = on(engine.explain(p), "n1");

    assertThat(n1.devices()).extracting(DeviceExplanation::id, DeviceExplanation::healthy, DeviceExplanation::refusal)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("GPU-sick", false, "UNHEALTHY"),
            org.assertj.core.groups.Tuple.tuple("GPU-t4", true, "TYPE_MISMATCH"));
  }

  @Test
  void everyNodesMessageIsExactlyWhatThePredicateAnswersVolcano() {
    cluster.putNode(node("n1").split(2).gpus(2, 16384).build());
    cluster.putNode(node("n2").gpus(1, 8192).build());
    cluster.putNode(node("cpu").withoutRegistration().build());
    running(pod("a").gpu(2, 1000, 0).build(), "n1");
    running(pod("b").gpu(2, 1000, 0).build(), "n1");
    PodView p = pending(pod("p").gpu(1, 12000, 0).build());

    PodExplanation e = engine.explain(p);

    assertThat(e.nodes()).hasSize(3);
    for (NodeExplanation n : e.nodes()) {
      PredicateResult r = engine.predicate(TaskView.of(p), NodeView.named(n.node()));
      assertThat(r.reason()).isEqualTo(n.message());
      assertThat(r.code()).isEqualTo(n.fits() ? PredicateResult.SUCCESS
          : n.resolvable() ? PredicateResult.UNSCHEDULABLE : PredicateResult.UNSCHEDULABLE_AND_UNRESOLVABLE);
    }
    assertThat(on(e, "n1").devices()).extracting(DeviceExplanation::refusal).containsOnly("SHARES_EXHAUSTED");
  }

  @Test
  void aPodThatFitsSomewhereListsThoseNodes() {
    cluster.putNode(node("n1").gpus(1, 16384).build());
    cluster.putNode(node("n2").gpus(1, 4096).build());
    PodView p = pending(pod("p").gpu(1, 8000, 0).build());

    PodExplanation e = engine.explain(p);

    assertThat(e.fitsOn()).containsExactly("n1");
    assertThat(on(e, "n1").refusal()).isEmpty();
  }

  @Test
  void aPodAskingNoDeviceSaysGpusDoNotHoldItBack() {
    cluster.putNode(node("n1").gpus(1, 16384).build());
    PodExplanation e = engine.explain(pending(pod("web").plainContainer().build()));
    assertThat(e.asksDevices()).isFalse();
    assertThat(e.nodes()).isEmpty();
  }

  @Test
  void aLockedNodeIsReported() {
    cluster.putNode(node("n1").gpus(1, 16384).annotation("hamivgpu", "2026-11-28T12:00:00Z").build());
    PodView p = pending(pod("p").gpu(1, 100, 0).build());
    assertThat(on(engine.explain(p), "n1").lockedSince()).isEqualTo("2026-11-28T12:00:00Z");
  }

  @Test
  void aVcjobIsExplainedPodByPodAndAnUnknownOneIsEmpty() {
    cluster.putNode(node("n1").gpus(1, 8192).build());
    for (int i = 1; i >= 0; i--) {
      pending(pod("train-worker-" + i).gpu(1, 6000, 0).annotation(PodGroups.VOLCANO_JOB_NAME, "train").build());
    }
    pending(pod("other").gpu(1, 6000, 0).build());

    Explanation e = engine.explainJob("default", "train").orElseThrow();

    assertThat(e.subject()).isEqualTo("vcjob default/train");
    assertThat(e.pods()).extracting(PodExplanation::pod)
        .containsExactly("default/train-worker-0", "default/train-worker-1");
    assertThat(engine.explainJob("default", "nope")).isEmpty();
    assertThat(engine.explainPod("default", "other").orElseThrow().pods()).hasSize(1);
    assertThat(engine.explainPod("elsewhere", "other")).isEmpty();
  }
}
