package io.github.volcanovgpu.bridge.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.device.DeviceUsage;
import io.github.volcanovgpu.bridge.device.NodeUsage;
import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.simulate.InMemoryCluster;
import io.github.volcanovgpu.bridge.testing.Engines;
import io.github.volcanovgpu.bridge.testing.TestNodes;
import io.github.volcanovgpu.bridge.testing.TestPods;
import io.github.volcanovgpu.contract.annotation.PodDevicesCodec;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Random clusters and random request streams never overcommit a GPU, whatever the policy. */
class LedgerProperties {
  record NodeSpec(int gpus, long memory, int split) {}

  record Op(int kind, int node, int count, long memory, int cores, int target) {}

  @Property(tries = 150)
  void noGpuIsEverOvercommitted(
      @ForAll("nodes") List<NodeSpec> nodes,
      @ForAll("ops") List<Op> ops,
      @ForAll SchedulingPolicy policy) {
    InMemoryCluster cluster = new InMemoryCluster();
    for (int i = 0; i < nodes.size(); i++) {
      NodeSpec s = nodes.get(i);
      cluster.putNode(TestNodes.node("n" + i).split(s.split()).gpus(s.gpus(), s.memory()).build());
    }
    PlacementEngine engine = Engines.over(cluster, policy);
    List<PodView> placed = new ArrayList<>();
    int seq = 0;
    for (Op op : ops) {
      String node = "n" + (op.node() % nodes.size());
      switch (op.kind()) {
        case 0, 1, 2 -> { // allocate a new pod (most common)
          PodView p = TestPods.pod("p" + seq++).gpu(op.count(), op.memory(), op.cores()).build();
          cluster.putPod(p);
          if (engine.allocate(new TaskView(p.withNodeName(node), TaskStatus.ALLOCATED, node, Map.of())).isOk()) {
            placed.add(p);
          }
        }
        case 3 -> { // bind one (the cache now shows it on the node)
          if (!placed.isEmpty()) {
            PodView p = placed.get(op.target() % placed.size());
            PodView now = cluster.pod(p.uid()).orElseThrow();
            cluster.bind(p.uid(), now.annotations().getOrDefault(VgpuAnnotations.VGPU_NODE, node));
          }
        }
        default -> { // roll one back, or delete it if it is bound
          if (!placed.isEmpty()) {
            PodView p = placed.remove(op.target() % placed.size());
            PodView now = cluster.pod(p.uid()).orElseThrow();
            if (now.nodeName().isEmpty()) {
              engine.deallocate(new TaskView(now, TaskStatus.PENDING,
                  now.annotations().getOrDefault(VgpuAnnotations.VGPU_NODE, node), Map.of()));
            } else {
              cluster.removePod(p.uid());
            }
          }
        }
      }
      assertWithinCapacity(engine.usage(VgpuAnnotations.DEVICE_NAME));
      assertAnnotationsAgreeWithCapacity(cluster, nodes.size());
    }
  }

  private static void assertWithinCapacity(Map<String, NodeUsage<?>> usage) {
    for (NodeUsage<?> n : usage.values()) {
      for (DeviceUsage<?> g : n.devices()) {
        assertThat(g.usedMemoryUnits()).as("memory of %s", g.device().uuid())
            .isLessThanOrEqualTo(g.device().memoryUnits());
        assertThat(g.usedCoresPercent()).as("cores of %s", g.device().uuid()).isLessThanOrEqualTo(100);
        assertThat(g.usedShares()).as("shares of %s", g.device().uuid()).isLessThanOrEqualTo(g.device().splitCount());
      }
    }
  }

  /** Independent check from the API's point of view: sum every pod's annotation per GPU. */
  private static void assertAnnotationsAgreeWithCapacity(InMemoryCluster cluster, int nodeCount) {
    Map<String, long[]> perGpu = new HashMap<>();
    for (PodView p : cluster.pods()) {
      String ids = p.annotations().get(VgpuAnnotations.VGPU_IDS_NEW);
      if (ids == null) {
        continue;
      }
      for (DeviceSlice s : PodDevicesCodec.decodeStrict(ids).allSlices()) {
        long[] acc = perGpu.computeIfAbsent(s.uuid(), k -> new long[3]);
        acc[0] += s.memoryUnits();
        acc[1] += s.coresPercent();
        acc[2] += 1;
      }
    }
    for (int i = 0; i < nodeCount; i++) {
      cluster.node("n" + i).ifPresent(view -> {
        String reg = view.annotations().get(VgpuAnnotations.NODE_REGISTER);
        for (var gpu : io.github.volcanovgpu.contract.annotation.NodeRegistrationCodec.decode(reg)) {
          long[] acc = perGpu.getOrDefault(gpu.uuid(), new long[3]);
          assertThat(acc[0]).isLessThanOrEqualTo(gpu.memoryUnits());
          assertThat(acc[1]).isLessThanOrEqualTo(100);
          assertThat(acc[2]).isLessThanOrEqualTo(gpu.splitCount());
        }
      });
    }
  }

  @Provide
  Arbitrary<List<NodeSpec>> nodes() {
    return Combinators.combine(
        Arbitraries.integers().between(1, 4),
        Arbitraries.longs().between(0, 20_000),
        Arbitraries.integers().between(1, 6))
        .as(NodeSpec::new)
        .list().ofMinSize(1).ofMaxSize(3);
  }

  @Provide
  Arbitrary<List<Op>> ops() {
    return Combinators.combine(
        Arbitraries.integers().between(0, 4),
        Arbitraries.integers().between(0, 10),
        Arbitraries.integers().between(1, 3),
        Arbitraries.longs().between(0, 12_000),
        Arbitraries.of(0, 0, 10, 30, 50, 100),
        Arbitraries.integers().between(0, 100))
        .as(Op::new)
        .list().ofMinSize(1).ofMaxSize(40);
  }
}
