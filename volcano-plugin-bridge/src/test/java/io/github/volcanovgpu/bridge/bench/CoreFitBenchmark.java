package io.github.volcanovgpu.bridge.bench;

import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.scheduling.PredicateResult;
import io.github.volcanovgpu.bridge.scheduling.PrioritizeResult;
import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.simulate.InMemoryCluster;
import io.github.volcanovgpu.bridge.testing.Engines;
import io.github.volcanovgpu.bridge.testing.TestNodes;
import io.github.volcanovgpu.bridge.testing.TestPods;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
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
 * The scheduling core alone: fit + score of one task on one node (8 GPUs, 40 pods already placed), with the node
 * view from a synced cache. Target: <= 2 us per (task, node).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CoreFitBenchmark {
  @Param({"BINPACK", "SPREAD"})
  public SchedulingPolicy policy;

  private PlacementEngine engine;
  private TaskView task;
  private NodeView node;
  private List<NodeView> oneNode;

  @Setup
  public void setup() {
    InMemoryCluster cluster = new InMemoryCluster();
    cluster.putNode(TestNodes.node("gpu-1").split(10).gpus(8, 81920).build());
    for (int i = 0; i < 40; i++) {
      int gpu = i % 8;
      cluster.putPod(TestPods.pod("running-" + i).gpu(1, 1000, 5).onNode("gpu-1").phase("Running")
          .annotation(VgpuAnnotations.VGPU_NODE, "gpu-1")
          .annotation(VgpuAnnotations.VGPU_IDS_NEW, "GPU-gpu-1-" + gpu + ",NVIDIA,1000,5:")
          .annotation(VgpuAnnotations.BIND_PHASE, "success").build());
    }
    engine = Engines.over(cluster, policy);
    PodView pod = TestPods.pod("new").gpu(1, 4000, 20).build();
    task = TaskView.of(pod);
    node = NodeView.named("gpu-1");
    oneNode = List.of(node);
    if (!engine.predicate(task, node).isSuccess()) {
      throw new IllegalStateException("benchmark pod must fit");
    }
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
