package io.github.volcanovgpu.plugin.allocate;

import io.github.volcanovgpu.contract.annotation.AnnotationFormatException;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.PodDevices;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Picks the pod a kubelet Allocate of a kind's count resource is for: a Pending pod bound to this node, annotated by
 * the scheduler for this node (the kind's {@link AssignmentAnnotations#assignedNode()}), {@code bind-phase=allocating},
 * whose next unconsumed container entry of the kind's {@code devices-to-allocate} has exactly the expected number of
 * devices; the oldest assignment time first (missing or invalid last, then oldest creation, then name).
 *
 * <p>Unlike the existing plugin it never considers a Running pod (double assignment, volcano-vgpu-device-plugin#159)
 * nor a pod of another node (#52), and it compares the request with the next container entry, not the pod's total.
 */
public final class PendingPodResolver {
  private final String nodeName;
  private final AssignmentAnnotations keys;

  /** With Volcano's vGPU keys. */
  public PendingPodResolver(String nodeName) {
    this(nodeName, AssignmentAnnotations.volcanoVgpu());
  }

  public PendingPodResolver(String nodeName, AssignmentAnnotations keys) {
    this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
    this.keys = Objects.requireNonNull(keys, "keys");
  }

  /**
   * The pod chosen and its next entry.
   *
   * @param devices {@code devices-to-allocate} decoded
   * @param entryIndex index of the next unconsumed entry in {@code devices}
   */
  public record Candidate(PodSnapshot pod, PodDevices devices, int entryIndex) {
    public Candidate {
      Objects.requireNonNull(pod, "pod");
      Objects.requireNonNull(devices, "devices");
    }

    public List<DeviceSlice> entry() {
      return devices.containers().get(entryIndex);
    }
  }

  /** The pod whose next entry holds {@code entrySize} devices, or none. */
  public Optional<Candidate> resolve(List<PodSnapshot> pods, int entrySize) {
    return candidates(pods).stream()
        .filter(c -> c.entry().size() == entrySize)
        .min(order);
  }

  /** Why {@link #resolve} found nothing, naming the candidates that came close and annotations it could not read. */
  public String explainNoMatch(List<PodSnapshot> pods, int entrySize) {
    List<Candidate> waiting = candidates(pods);
    List<String> malformed = malformed(pods);
    String unreadable = malformed.isEmpty() ? "" : "; unreadable: " + String.join(", ", malformed);
    if (waiting.isEmpty()) {
      return "no pending pod found on node " + nodeName + " (none of the " + pods.size()
          + " Pending pods bound to it has " + keys.assignedNode() + "=" + nodeName + ", "
          + keys.bindPhase() + "=" + AssignmentAnnotations.ALLOCATING + " and devices left in "
          + keys.devicesToAllocate() + ")" + unreadable;
    }
    List<String> seen = new ArrayList<>();
    for (Candidate c : waiting) {
      seen.add(c.pod().key() + " expects " + c.entry().size());
    }
    return "no pending pod found on node " + nodeName + " whose next container expects " + entrySize
        + " device(s): " + String.join(", ", seen) + unreadable;
  }

  /** Pods waiting for devices on this node, each with its next entry. */
  List<Candidate> candidates(List<PodSnapshot> pods) {
    List<Candidate> out = new ArrayList<>();
    for (PodSnapshot pod : pods) {
      if (!waiting(pod)) {
        continue;
      }
      PodDevices devices = keys.framing().decode(pod.annotation(keys.devicesToAllocate()));
      int next = nextEntry(devices);
      if (next >= 0) {
        out.add(new Candidate(pod, devices, next));
      }
    }
    return out;
  }

  private boolean waiting(PodSnapshot pod) {
    return PodSnapshot.PENDING.equals(pod.phase())
        && nodeName.equals(pod.nodeName())
        && nodeName.equals(pod.annotation(keys.assignedNode()))
        && AssignmentAnnotations.ALLOCATING.equals(pod.annotation(keys.bindPhase()));
  }

  /** Waiting pods whose {@code devices-to-allocate} has entries the lenient decoding skipped, with the reason. */
  private List<String> malformed(List<PodSnapshot> pods) {
    List<String> out = new ArrayList<>();
    for (PodSnapshot pod : pods) {
      if (waiting(pod)) {
        try {
          keys.framing().decodeStrict(pod.annotation(keys.devicesToAllocate()));
        } catch (AnnotationFormatException e) {
          out.add(pod.key() + " " + keys.devicesToAllocate() + ": " + e.getMessage());
        }
      }
    }
    return out;
  }

  /** Index of the first container entry that still has devices; -1 when all are consumed. */
  static int nextEntry(PodDevices devices) {
    List<List<DeviceSlice>> containers = devices.containers();
    for (int i = 0; i < containers.size(); i++) {
      if (!containers.get(i).isEmpty()) {
        return i;
      }
    }
    return -1;
  }

  /** The assignment time as unix seconds; {@link Long#MAX_VALUE} when missing or not a non-negative number. */
  long assignedTime(PodSnapshot pod) {
    String value = pod.annotation(keys.assignedTime()).trim();
    try {
      long seconds = Long.parseLong(value);
      return seconds < 0 ? Long.MAX_VALUE : seconds;
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private final Comparator<Candidate> order =
      Comparator.<Candidate>comparingLong(c -> assignedTime(c.pod()))
          .thenComparingLong(c -> c.pod().creationTimestamp())
          .thenComparing(c -> c.pod().key());
}
