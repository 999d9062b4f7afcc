package io.github.volcanovgpu.plugin.allocate;

import io.github.volcanovgpu.contract.annotation.PodDevicesCodec;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.PodDevices;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Picks the pod a kubelet Allocate of the count resource is for: a Pending pod bound to this node, annotated by the
 * scheduler for this node ({@code volcano.sh/vgpu-node}), {@code bind-phase=allocating}, whose next unconsumed
 * container entry of {@code devices-to-allocate} has exactly the requested number of devices; the oldest
 * {@code volcano.sh/vgpu-time} first (missing or invalid last, then oldest creation, then name).
 *
 * <p>Unlike the existing plugin it never considers a Running pod (double assignment, volcano-vgpu-device-plugin#159)
 * nor a pod of another node (#52), and it compares the request with the next container entry, not the pod's total.
 */
public final class PendingPodResolver {
  private final String nodeName;

  public PendingPodResolver(String nodeName) {
    this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
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

  /** The pod for an Allocate of {@code requestedDevices} devices, or why there is none. */
  public Optional<Candidate> resolve(List<PodSnapshot> pods, int requestedDevices) {
    return candidates(pods).stream()
        .filter(c -> c.entry().size() == requestedDevices)
        .min(ORDER);
  }

  /** Why {@link #resolve} found nothing, naming the candidates that came close. */
  public String explainNoMatch(List<PodSnapshot> pods, int requestedDevices) {
    List<Candidate> waiting = candidates(pods);
    if (waiting.isEmpty()) {
      return "no pending pod found on node " + nodeName + " (none of the " + pods.size()
          + " Pending pods bound to it has " + VgpuAnnotations.VGPU_NODE + "=" + nodeName + ", "
          + VgpuAnnotations.BIND_PHASE + "=" + VgpuAnnotations.BIND_PHASE_ALLOCATING + " and devices left in "
          + VgpuAnnotations.DEVICES_TO_ALLOCATE + ")";
    }
    List<String> seen = new ArrayList<>();
    for (Candidate c : waiting) {
      seen.add(c.pod().key() + " expects " + c.entry().size());
    }
    return "no pending pod found on node " + nodeName + " whose next container expects " + requestedDevices
        + " device(s): " + String.join(", ", seen);
  }

  /** Pods waiting for devices on this node, each with its next entry. */
  List<Candidate> candidates(List<PodSnapshot> pods) {
    List<Candidate> out = new ArrayList<>();
    for (PodSnapshot pod : pods) {
      if (!PodSnapshot.PENDING.equals(pod.phase())
          || !nodeName.equals(pod.nodeName())
          || !nodeName.equals(pod.annotation(VgpuAnnotations.VGPU_NODE))
          || !VgpuAnnotations.BIND_PHASE_ALLOCATING.equals(pod.annotation(VgpuAnnotations.BIND_PHASE))) {
        continue;
      }
      PodDevices devices = PodDevicesCodec.decodeLenient(pod.annotation(VgpuAnnotations.DEVICES_TO_ALLOCATE));
      int next = nextEntry(devices);
      if (next >= 0) {
        out.add(new Candidate(pod, devices, next));
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

  /** {@code vgpu-time} as unix seconds; {@link Long#MAX_VALUE} when missing or not a non-negative number. */
  static long vgpuTime(PodSnapshot pod) {
    String value = pod.annotation(VgpuAnnotations.VGPU_TIME).trim();
    try {
      long seconds = Long.parseLong(value);
      return seconds < 0 ? Long.MAX_VALUE : seconds;
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private static final Comparator<Candidate> ORDER =
      Comparator.<Candidate>comparingLong(c -> vgpuTime(c.pod()))
          .thenComparingLong(c -> c.pod().creationTimestamp())
          .thenComparing(c -> c.pod().key());
}
