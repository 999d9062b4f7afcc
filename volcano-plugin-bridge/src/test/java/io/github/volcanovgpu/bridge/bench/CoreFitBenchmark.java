package io.github.volcanovgpu.bridge.bench;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.EngineConfig;
import io.github.volcanovgpu.bridge.scheduling.NodeLock;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.scheduling.PredicateResult;
import io.github.volcanovgpu.bridge.scheduling.PrioritizeResult;
import io.github.volcanovgpu.bridge.simulate.InMemoryCluster;
import io.github.volcanovgpu.bridge.testing.Engines;
import io.github.volcanovgpu.bridge.testing.HamiNodes;
import io.github.volcanovgpu.bridge.testing.TestNodes;
import io.github.volcanovgpu.bridge.testing.TestPods;
import io.github.volcanovgpu.bridge.vendor.VendorCatalog;
import io.github.volcanovgpu.contract.annotation.HamiAnnotations;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The scheduling core alone: fit + score of one task on one node with the node view from a synced cache, and every
 * shipped device kind configured (as the sidecar runs: NVIDIA, seven Ascend chips, Vastai), so a row includes
 * routing the pod to its kind. Target: <= 2 us per (task, node). Rows per kind:
 *
 * <ul>
 *   <li>{@code NVIDIA}: 8 GPUs, 40 pods placed, a 4000 MiB / 20 % share;
 *   <li>{@code ASCEND_910C_HAMI_CORE}: 16 NPUs of a SuperPod, 40 pods placed, a module pair of 16 GiB / 30 %;
 *   <li>{@code ASCEND_910B3_TEMPLATE}: 8 NPUs in two network groups, 16 template vNPUs placed, a 10000 MiB request
 *       rounded up to vir05_1c_16g;
 *   <li>{@code VASTAI_DIE}: 4 cards of 4 dies, 6 dies given, a request of 3 dies kept on one card.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CoreFitBenchmark {
  /** The device kind of the row. */
  public enum Kind {
    NVIDIA, ASCEND_910C_HAMI_CORE, ASCEND_910B3_TEMPLATE, VASTAI_DIE
  }

  @Param({"BINPACK", "SPREAD"})
  public SchedulingPolicy policy;

  @Param({"NVIDIA", "ASCEND_910C_HAMI_CORE", "ASCEND_910B3_TEMPLATE", "VASTAI_DIE"})
  public Kind kind;

  private PlacementEngine engine;
  private TaskView task;
  private NodeView node;
  private List<NodeView> oneNode;

  @Setup
  public void setup() {
    InMemoryCluster cluster = new InMemoryCluster();
    PodView pod = switch (kind) {
      case NVIDIA -> nvidia(cluster);
      case ASCEND_910C_HAMI_CORE -> ascend910c(cluster);
      case ASCEND_910B3_TEMPLATE -> ascend910b3(cluster);
      case VASTAI_DIE -> vastai(cluster);
    };
    engine = new PlacementEngine(VendorCatalog.kinds(DeviceConfig.defaults()), cluster, cluster, NodeLock.DISABLED,
        EngineConfig.defaults().withPolicy(policy), Engines.FIXED);
    task = TaskView.of(pod);
    node = NodeView.named("dev-1");
    oneNode = List.of(node);
    PredicateResult r = engine.predicate(task, node);
    if (!r.isSuccess()) {
      throw new IllegalStateException("benchmark pod must fit: " + r.reason());
    }
  }

  private static PodView nvidia(InMemoryCluster cluster) {
    cluster.putNode(TestNodes.node("dev-1").split(10).gpus(8, 81920).build());
    for (int i = 0; i < 40; i++) {
      cluster.putPod(TestPods.pod("running-" + i).gpu(1, 1000, 5).onNode("dev-1").phase("Running")
          .annotation(VgpuAnnotations.VGPU_NODE, "dev-1")
          .annotation(VgpuAnnotations.VGPU_IDS_NEW, "GPU-dev-1-" + (i % 8) + ",NVIDIA,1000,5:")
          .annotation(VgpuAnnotations.BIND_PHASE, "success").build());
    }
    return TestPods.pod("new").gpu(1, 4000, 20).build();
  }

  private static PodView ascend910c(InMemoryCluster cluster) {
    cluster.putNode(HamiNodes.ascend("dev-1", "Ascend910C").npus(16).hamiCore(true).build());
    for (int i = 0; i < 40; i++) {
      cluster.putPod(running("Ascend910C", i, "dev-1-npu-" + (i % 16) + ",Ascend910C,2048,5:"));
    }
    return TestPods.pod("new").npu("Ascend910C", 1, 16384, 30).build();
  }

  private static PodView ascend910b3(InMemoryCluster cluster) {
    cluster.putNode(HamiNodes.ascend("dev-1", "Ascend910B3").count(4).npus(8).build());
    for (int i = 0; i < 16; i++) {
      cluster.putPod(running("Ascend910B3", i, "dev-1-npu-" + (i % 8) + ",Ascend910B3,16384,0:"));
    }
    return TestPods.pod("new").npu("Ascend910B3", 1, 10000, 0).build();
  }

  private static PodView vastai(InMemoryCluster cluster) {
    cluster.putNode(HamiNodes.vastai("dev-1").dies(4, 4).build());
    for (int i = 0; i < 6; i++) {
      cluster.putPod(running("Vastai", i, "dev-1-va" + (i % 3) + "-die" + (i / 3) + ",Vastai,0,0:"));
    }
    return TestPods.pod("new").va(3).build();
  }

  private static PodView running(String commonWord, int i, String devices) {
    return TestPods.pod("running-" + i).onNode("dev-1").phase("Running")
        .annotation(HamiAnnotations.ASSIGNED_NODE, "dev-1")
        .annotation(HamiAnnotations.devicesAllocated(commonWord), devices + ";")
        .annotation(HamiAnnotations.BIND_PHASE, "success").build();
  }

  @Benchmark
  public PredicateResult predicate() {
    return engine.predicate(task, node);
  }

  @Benchmark
  public PrioritizeResult prioritizeOneNode() {
    return engine.prioritize(task, oneNode);
  }
}
