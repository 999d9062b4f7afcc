package io.github.volcanovgpu.bridge.grpc;

import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.proto.bridge.v1.NodeDetails;
import io.github.volcanovgpu.proto.bridge.v1.TaskView;

/**
 * Model to proto for tests and benchmarks: build nodes and pods with {@code bridge.testing.TestNodes} /
 * {@code TestPods}, send them as {@code volcanovgpu.bridge.v1} messages.
 */
public final class ProtoFixtures {
  private ProtoFixtures() {}

  /** The node in full. */
  public static io.github.volcanovgpu.proto.bridge.v1.NodeView detailed(NodeView node) {
    NodeDetails.Builder d =
        NodeDetails.newBuilder().putAllAnnotations(node.annotations()).putAllAllocatable(node.allocatable());
    node.pods().forEach(p -> d.addPods(pod(p)));
    return io.github.volcanovgpu.proto.bridge.v1.NodeView.newBuilder().setName(node.name()).setDetails(d).build();
  }

  /** The node by name only. */
  public static io.github.volcanovgpu.proto.bridge.v1.NodeView named(String name) {
    return io.github.volcanovgpu.proto.bridge.v1.NodeView.newBuilder().setName(name).build();
  }

  public static io.github.volcanovgpu.proto.bridge.v1.PodView pod(PodView pod) {
    io.github.volcanovgpu.proto.bridge.v1.PodView.Builder b =
        io.github.volcanovgpu.proto.bridge.v1.PodView.newBuilder()
            .setUid(pod.uid())
            .setNamespace(pod.namespace())
            .setName(pod.name())
            .putAllAnnotations(pod.annotations())
            .setNodeName(pod.nodeName())
            .setPhase(pod.phase())
            .setResourceVersion(pod.resourceVersion());
    pod.containers().forEach(c -> b.addContainers(container(c)));
    pod.initContainers().forEach(c -> b.addInitContainers(container(c)));
    return b.build();
  }

  private static io.github.volcanovgpu.proto.bridge.v1.ContainerView container(ContainerView c) {
    return io.github.volcanovgpu.proto.bridge.v1.ContainerView.newBuilder()
        .setName(c.name())
        .putAllLimits(c.limits())
        .putAllRequests(c.requests())
        .build();
  }

  /** A pending task (what predicate and prioritize get). */
  public static TaskView pending(PodView pod) {
    return TaskView.newBuilder().setPod(pod(pod)).setStatus(TaskStatus.PENDING).build();
  }

  /** A task Volcano allocated to {@code node} (what allocate gets). */
  public static TaskView allocated(PodView pod, String node) {
    return TaskView.newBuilder().setPod(pod(pod)).setStatus(TaskStatus.ALLOCATED).setNodeName(node).build();
  }
}
