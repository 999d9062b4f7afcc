package io.github.volcanovgpu.bridge.extender;

import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.simulate.InMemoryCluster;
import io.github.volcanovgpu.bridge.simulate.VolcanoRequests;
import io.github.volcanovgpu.bridge.testing.TestNodes;
import io.github.volcanovgpu.contract.annotation.PodDevicesCodec;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.PodDevices;
import io.github.volcanovgpu.contract.device.RegisteredGpu;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Realistic Volcano-shaped data for extender tests and benchmarks: GPU nodes whose pods carry the annotations the
 * device plugin and scheduler leave behind, pending tasks, and their bodies in Volcano's encoding.
 */
public final class VolcanoFixtures {
  public static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
  public static final VolcanoRequests REQUESTS = new VolcanoRequests(NOW);
  /** Per-GPU memory of the fixture nodes (A100 40 GB). */
  public static final long GPU_MIB = 40960;

  private VolcanoFixtures() {}

  /**
   * A node with {@code gpus} A100-40GB cards (split 10) and {@code pods} running pods of one GPU, 2000 MiB and 10%
   * each, spread round-robin over the cards, with the annotations a started vGPU pod has.
   */
  public static NodeView gpuNode(String name, int gpus, int pods) {
    TestNodes builder = TestNodes.node(name).gpus(gpus, GPU_MIB);
    List<RegisteredGpu> cards = builder.registered();
    for (int i = 0; i < pods; i++) {
      RegisteredGpu card = cards.get(i % cards.size());
      builder.pod(runningPod(name, "train-job" + (i / 4) + "-worker-" + (i % 4), card.uuid(), 2000, 10));
    }
    NodeView node = builder.build();
    Map<String, String> allocatable = new LinkedHashMap<>(node.allocatable());
    allocatable.put("cpu", "96");
    allocatable.put("memory", "1056745292Ki");
    allocatable.put("ephemeral-storage", "1891775433222");
    allocatable.put("hugepages-1Gi", "0");
    allocatable.put("hugepages-2Mi", "0");
    allocatable.put("pods", "110");
    return NodeView.of(node.name(), node.annotations(), allocatable, node.pods());
  }

  /** The realistic node of the issue: 8 GPUs, 40 small pods. */
  public static NodeView realisticNode(String name) {
    return gpuNode(name, 8, 40);
  }

  /** A running vGPU pod on {@code node} using {@code memoryMib} and {@code cores} of card {@code uuid}. */
  public static PodView runningPod(String node, String name, String uuid, long memoryMib, int cores) {
    String devices = PodDevicesCodec.encode(
        new PodDevices(List.of(List.of(DeviceSlice.nvidia(uuid, memoryMib, cores)))));
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("scheduling.k8s.io/group-name", name.substring(0, name.indexOf("-worker")) + "-pg");
    annotations.put(VgpuAnnotations.VGPU_NODE, node);
    annotations.put(VgpuAnnotations.VGPU_IDS_NEW, devices);
    annotations.put(VgpuAnnotations.DEVICES_TO_ALLOCATE, ";");
    annotations.put(VgpuAnnotations.VGPU_TIME, "1764316800");
    annotations.put(VgpuAnnotations.BIND_PHASE, VgpuAnnotations.BIND_PHASE_SUCCESS);
    annotations.put(VgpuAnnotations.BIND_TIME, "1764316800");
    return new PodView(
        "uid-" + node + "-" + name,
        "team-a",
        name,
        annotations,
        List.of(gpuContainer("worker", 1, memoryMib, cores)),
        List.of(),
        node,
        "Running",
        "48213");
  }

  /** A pending task asking for {@code count} GPUs of {@code memoryMib} and {@code cores} each. */
  public static TaskView pendingTask(String name, int count, long memoryMib, int cores) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("scheduling.k8s.io/group-name", name + "-pg");
    PodView pod =
        new PodView("uid-" + name, "team-b", name + "-worker-0", annotations,
            List.of(gpuContainer("worker", count, memoryMib, cores)), List.of(), "", "Pending", "50001");
    return new TaskView(pod, TaskStatus.PENDING, "", annotations);
  }

  /** A pending task with no GPU request. */
  public static TaskView cpuTask(String name) {
    PodView pod =
        new PodView("uid-" + name, "team-b", name, Map.of(),
            List.of(new ContainerView("main", Map.of("cpu", "2", "memory", "4Gi"), Map.of("cpu", "1"))),
            List.of(), "", "Pending", "50002");
    return TaskView.of(pod);
  }

  /** The task as Volcano sends it to allocateFunc after choosing {@code node}. */
  public static TaskView allocated(TaskView task, String node) {
    return new TaskView(task.pod().withNodeName(node), TaskStatus.ALLOCATED, node, task.podAnnotations());
  }

  public static ContainerView gpuContainer(String name, int count, long memoryMib, int cores) {
    Map<String, String> limits = new LinkedHashMap<>();
    limits.put("cpu", "4");
    limits.put("memory", "16Gi");
    limits.put("volcano.sh/vgpu-number", Integer.toString(count));
    limits.put("volcano.sh/vgpu-memory", Long.toString(memoryMib));
    limits.put("volcano.sh/vgpu-cores", Integer.toString(cores));
    return new ContainerView(name, limits, Map.of("cpu", "2", "memory", "8Gi"));
  }

  /** A synced in-memory cluster holding the nodes and their pods (the engine's cache). */
  public static InMemoryCluster clusterOf(List<NodeView> nodes) {
    InMemoryCluster cluster = new InMemoryCluster();
    for (NodeView n : nodes) {
      cluster.putNode(n);
      for (PodView p : n.pods()) {
        cluster.putPod(p);
      }
    }
    return cluster;
  }

  /** {@code count} realistic nodes named {@code node-000}... */
  public static List<NodeView> realisticNodes(int count) {
    List<NodeView> nodes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      nodes.add(realisticNode(String.format("node-%03d", i)));
    }
    return nodes;
  }
}
