package io.github.volcanovgpu.bridge.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the scheduler needs of a node: its annotations (device inventory), {@code status.allocatable} and the pods
 * on it (whose annotations carry their device assignments).
 *
 * @param detailed false when only the name is known (a request parsed on the fast path, or a gRPC call naming a
 *     node of the session); then the other fields are empty and must not be read
 */
public record NodeView(
    String name,
    Map<String, String> annotations,
    Map<String, String> allocatable,
    List<PodView> pods,
    boolean detailed) {
  public NodeView {
    Objects.requireNonNull(name, "name");
    annotations = Map.copyOf(annotations);
    allocatable = Map.copyOf(allocatable);
    pods = List.copyOf(pods);
  }

  /** A node known only by name. */
  public static NodeView named(String name) {
    return new NodeView(name, Map.of(), Map.of(), List.of(), false);
  }

  public static NodeView of(
      String name, Map<String, String> annotations, Map<String, String> allocatable, List<PodView> pods) {
    return new NodeView(name, annotations, allocatable, pods, true);
  }
}
