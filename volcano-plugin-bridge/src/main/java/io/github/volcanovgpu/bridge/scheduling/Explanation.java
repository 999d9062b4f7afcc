package io.github.volcanovgpu.bridge.scheduling;

import io.github.volcanovgpu.bridge.device.RefusalCause;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Why pods do not fit now, per node and per device, as the scheduling core decides it ({@code explain}). Every
 * node's {@link NodeExplanation#message()} is exactly what the predicate answers Volcano for that node.
 *
 * @param subject what was asked: {@code pod <ns>/<name>} or {@code vcjob <ns>/<name>}
 * @param pods one entry per pod (a vcjob: its pods, by name)
 */
public record Explanation(String subject, List<PodExplanation> pods) {
  public Explanation {
    Objects.requireNonNull(subject, "subject");
    pods = List.copyOf(pods);
  }

  /**
   * One pod.
   *
   * @param pod {@code namespace/name}
   * @param boundTo the node the pod is bound to, empty while pending
   * @param asksDevices false when the pod asks no device of a configured kind (it fits every node for us)
   * @param podRefusal a refusal that holds on every node (quota, unreadable request), empty when none
   * @param nodes every node the sidecar knows, by name
   */
  public record PodExplanation(String pod, String uid, String boundTo, boolean asksDevices,
      Optional<Refusal> podRefusal, List<NodeExplanation> nodes) {
    public PodExplanation {
      Objects.requireNonNull(pod, "pod");
      Objects.requireNonNull(uid, "uid");
      Objects.requireNonNull(boundTo, "boundTo");
      Objects.requireNonNull(podRefusal, "podRefusal");
      nodes = List.copyOf(nodes);
    }

    /** The nodes where the pod fits now. */
    public List<String> fitsOn() {
      return nodes.stream().filter(NodeExplanation::fits).map(NodeExplanation::node).toList();
    }
  }

  /** A cause with the message the core gave for it. */
  public record Refusal(RefusalCause cause, String message) {
    public Refusal {
      Objects.requireNonNull(cause, "cause");
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * The pod on one node.
   *
   * @param fits true when the pod fits the node now
   * @param refusal why not (empty when it fits); its message is the predicate's
   * @param resolvable true when evicting pods could make it fit (predicate code 2; false: code 3)
   * @param kind the device kind that refused ({@code hamivgpu}, {@code Ascend910B}...), empty when none
   * @param container the container that did not fit, empty when the refusal is not about one
   * @param lockedSince the node's device lock annotation value when the node is locked (allocation in flight)
   * @param devices the refusing kind's devices on the node with their state and reason
   * @param relief the smallest set of pods on the node whose leaving would let the pod fit, empty when none or
   *     when it fits
   */
  public record NodeExplanation(String node, boolean fits, Optional<Refusal> refusal, boolean resolvable,
      String kind, String container, String lockedSince, List<DeviceExplanation> devices,
      List<String> relief) {
    public NodeExplanation {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(refusal, "refusal");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(container, "container");
      Objects.requireNonNull(lockedSince, "lockedSince");
      devices = List.copyOf(devices);
      relief = List.copyOf(relief);
      if (fits == refusal.isPresent()) {
        throw new IllegalArgumentException("a node either fits or has a refusal");
      }
    }

    /** The message the predicate sends Volcano for this node (empty when it fits). */
    public String message() {
      return refusal.map(Refusal::message).orElse("");
    }
  }

  /**
   * One device of the refusing kind.
   *
   * @param memoryUsedUnits memory held by shares, in the kind's unit (MiB for most kinds)
   * @param refusal the kind's reason code for this device ({@code INSUFFICIENT_MEMORY}), empty when the device
   *     could take the container
   * @param refusalDescription what the code means, empty with the code
   * @param pods {@code namespace/name} of the pods holding shares of it
   */
  public record DeviceExplanation(int index, String id, String type, boolean healthy, long memoryUsedUnits,
      long memoryTotalUnits, int coresUsedPercent, int sharesUsed, int splitCount, String refusal,
      String refusalDescription, List<String> pods) {
    public DeviceExplanation {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(refusal, "refusal");
      Objects.requireNonNull(refusalDescription, "refusalDescription");
      pods = List.copyOf(pods);
    }
  }
}
