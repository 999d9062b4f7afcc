package io.github.volcanovgpu.bridge.grpc;

import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.EventResult;
import io.github.volcanovgpu.bridge.scheduling.PredicateResult;
import io.github.volcanovgpu.bridge.scheduling.PrioritizeResult;
import io.github.volcanovgpu.proto.bridge.v1.AllocateResponse;
import io.github.volcanovgpu.proto.bridge.v1.DeallocateResponse;
import io.github.volcanovgpu.proto.bridge.v1.NodeDetails;
import io.github.volcanovgpu.proto.bridge.v1.PredicateCode;
import io.github.volcanovgpu.proto.bridge.v1.PredicateResponse;
import io.github.volcanovgpu.proto.bridge.v1.PrioritizeResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Proto messages of {@code volcanovgpu.bridge.v1} to the scheduler's model and back. Validates what the model and
 * the core rely on and throws {@link InvalidRequestException} naming the field path otherwise. Only the
 * quantities the core reads are checked for syntax (the task pod's containers, node allocatable); the pods already
 * on a node contribute only their annotations.
 */
final class ProtoMapping {
  /**
   * Kubernetes quantity grammar ({@code apimachinery resource.Quantity}): signed decimal number, then a binary SI
   * suffix, a decimal SI suffix or a decimal exponent.
   */
  private static final Pattern QUANTITY =
      Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[KMGTPE]i|[mkMGTPE]|[eE][+-]?[0-9]+)?");

  private ProtoMapping() {}

  // ---------------------------------------------------------------- requests -> model

  /** The task of a request; {@code present} is the request's {@code hasTask()}. */
  static TaskView task(boolean present, io.github.volcanovgpu.proto.bridge.v1.TaskView task, String field) {
    if (!present) {
      throw new InvalidRequestException(field, "required");
    }
    if (!task.hasPod()) {
      throw new InvalidRequestException(field + ".pod", "required");
    }
    if (task.getStatus() < 0) {
      throw new InvalidRequestException(
          field + ".status", "must be a Volcano TaskStatus flag (1 Pending ... 512 Unknown), got " + task.getStatus());
    }
    PodView pod = pod(task.getPod(), field + ".pod", true);
    int status = task.getStatus() == 0 ? TaskStatus.PENDING : task.getStatus();
    return new TaskView(pod, status, task.getNodeName(), task.getPodAnnotationsMap());
  }

  static PodView pod(io.github.volcanovgpu.proto.bridge.v1.PodView pod, String field, boolean checkQuantities) {
    requireNonBlank(pod.getUid(), field + ".uid");
    requireNonBlank(pod.getNamespace(), field + ".namespace");
    requireNonBlank(pod.getName(), field + ".name");
    return new PodView(
        pod.getUid(),
        pod.getNamespace(),
        pod.getName(),
        pod.getAnnotationsMap(),
        containers(pod.getContainersList(), field + ".containers", checkQuantities),
        containers(pod.getInitContainersList(), field + ".init_containers", checkQuantities),
        pod.getNodeName(),
        pod.getPhase(),
        pod.getResourceVersion());
  }

  private static List<ContainerView> containers(
      List<io.github.volcanovgpu.proto.bridge.v1.ContainerView> containers, String field, boolean checkQuantities) {
    if (containers.isEmpty()) {
      return List.of();
    }
    List<ContainerView> out = new ArrayList<>(containers.size());
    for (int i = 0; i < containers.size(); i++) {
      io.github.volcanovgpu.proto.bridge.v1.ContainerView c = containers.get(i);
      String at = field + "[" + i + "]";
      requireNonBlank(c.getName(), at + ".name");
      if (checkQuantities) {
        requireQuantities(c.getLimitsMap(), at + ".limits");
        requireQuantities(c.getRequestsMap(), at + ".requests");
      }
      out.add(new ContainerView(c.getName(), c.getLimitsMap(), c.getRequestsMap()));
    }
    return out;
  }

  /**
   * A node in full, or {@link NodeView#named} when the message carries no details.
   *
   * @param requireDetails true where only a node in full makes sense (the session snapshot)
   */
  static NodeView node(io.github.volcanovgpu.proto.bridge.v1.NodeView node, String field, boolean requireDetails) {
    return node(node, field, -1, requireDetails);
  }

  /** As {@link #node(io.github.volcanovgpu.proto.bridge.v1.NodeView, String, boolean)}, for {@code field[index]}. */
  private static NodeView node(
      io.github.volcanovgpu.proto.bridge.v1.NodeView node, String field, int index, boolean requireDetails) {
    // field paths are built only on failure: Prioritize maps thousands of name-only nodes per call
    if (node.getName().isBlank()) {
      throw new InvalidRequestException(at(field, index) + ".name", "required, got an empty string");
    }
    if (!node.hasDetails()) {
      if (requireDetails) {
        throw new InvalidRequestException(
            at(field, index) + ".details", "required here: the session snapshot needs the node in full "
                + "(annotations, allocatable, pods)");
      }
      return NodeView.named(node.getName());
    }
    field = at(field, index);
    NodeDetails d = node.getDetails();
    requireQuantities(d.getAllocatableMap(), field + ".details.allocatable");
    List<PodView> pods;
    if (d.getPodsCount() == 0) {
      pods = List.of();
    } else {
      pods = new ArrayList<>(d.getPodsCount());
      for (int i = 0; i < d.getPodsCount(); i++) {
        pods.add(pod(d.getPods(i), field + ".details.pods[" + i + "]", false));
      }
    }
    return NodeView.of(node.getName(), d.getAnnotationsMap(), d.getAllocatableMap(), pods);
  }

  /** Nodes of a batch; names must be unique. */
  static List<NodeView> nodes(
      List<io.github.volcanovgpu.proto.bridge.v1.NodeView> nodes, String field, boolean requireDetails) {
    List<NodeView> out = new ArrayList<>(nodes.size());
    Set<String> names = new HashSet<>(Math.max(16, nodes.size() * 2));
    for (int i = 0; i < nodes.size(); i++) {
      NodeView n = node(nodes.get(i), field, i, requireDetails);
      if (!names.add(n.name())) {
        throw new InvalidRequestException(at(field, i) + ".name", "duplicate node \"" + n.name() + "\"");
      }
      out.add(n);
    }
    return out;
  }

  private static String at(String field, int index) {
    return index < 0 ? field : field + "[" + index + "]";
  }

  private static void requireNonBlank(String value, String field) {
    if (value.isBlank()) {
      throw new InvalidRequestException(field, "required, got an empty string");
    }
  }

  private static void requireQuantities(Map<String, String> quantities, String field) {
    for (Map.Entry<String, String> e : quantities.entrySet()) {
      if (!QUANTITY.matcher(e.getValue()).matches()) {
        throw new InvalidRequestException(
            field + "[\"" + e.getKey() + "\"]", "\"" + abbreviate(e.getValue()) + "\" is not a Kubernetes quantity");
      }
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }

  // ---------------------------------------------------------------- model -> responses

  static PredicateResponse predicateResponse(PredicateResult result) {
    PredicateCode code = PredicateCode.forNumber(result.code());
    if (code == null) {
      throw new IllegalStateException("predicate code " + result.code() + " has no PredicateCode");
    }
    return PredicateResponse.newBuilder().setCode(code).setReason(result.reason()).build();
  }

  static PrioritizeResponse prioritizeResponse(PrioritizeResult result) {
    return PrioritizeResponse.newBuilder()
        .putAllNodeScores(result.nodeScores())
        .setErrorMessage(result.errorMessage())
        .build();
  }

  static AllocateResponse allocateResponse(EventResult result) {
    return AllocateResponse.newBuilder().setErrorMessage(result.errorMessage()).build();
  }

  static DeallocateResponse deallocateResponse(EventResult result) {
    return DeallocateResponse.newBuilder().setErrorMessage(result.errorMessage()).build();
  }
}
