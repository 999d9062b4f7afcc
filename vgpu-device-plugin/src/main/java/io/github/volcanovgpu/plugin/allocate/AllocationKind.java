package io.github.volcanovgpu.plugin.allocate;

import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One device kind's rules for the pod-resolving Allocate ({@link PodAllocationHandler}): which annotations carry
 * its assignments, which containers the entries belong to, how the kubelet's device IDs relate to an entry, and how
 * a container's answer is built. Implementations are stateless or thread-safe; the handler calls them under its
 * lock.
 */
public interface AllocationKind {
  /** The kind's pod and node annotations. */
  AssignmentAnnotations annotations();

  /** The resource whose Allocate resolves pods: NVIDIA's count resource, an Ascend chip's, Vastai's. */
  String countResource();

  /**
   * Other names of the count resource that the kubelet may allocate for the same entries (Ascend's
   * {@code hami.io/vnpu-core}); answered exactly like {@link #countResource()}.
   */
  default Set<String> countAliases() {
    return Set.of();
  }

  /**
   * Resources this kind advertises that need no pod (NVIDIA's memory and cores): one empty response per container.
   */
  default Set<String> passiveResources() {
    return Set.of();
  }

  /** Whether a regular container asks for this kind's devices; entry i belongs to the i-th such container. */
  boolean requestsDevices(PodSnapshot.Container container);

  /**
   * How many devices the scheduler puts in the entry of a container whose request the kubelet allocates with
   * {@code kubeletIds} IDs (1:1 except 910C SuperPod module pairs).
   */
  default int entrySize(int kubeletIds) {
    return kubeletIds;
  }

  /**
   * Checks the kubelet's IDs against the entry: never hand out a device the scheduler did not assign. The default
   * is the rule for IDs {@code <device>-<i>} ({@code DeviceIds.count}): every ID must be one of a device assigned to
   * this entry, no two of one device; since the entry holds {@link #entrySize} devices for that many IDs, with a 1:1
   * size they cover each assigned device once.
   *
   * @param entryIndex the entry's index among the pod's entries, for messages
   * @throws AssignmentMismatch naming pod, entry and IDs
   */
  default void checkDevices(PodSnapshot pod, int entryIndex, List<DeviceSlice> entry, List<String> kubeletIds) {
    Set<String> assigned = new LinkedHashSet<>();
    for (DeviceSlice slice : entry) {
      assigned.add(slice.physicalUuid());
    }
    Set<String> requested = new LinkedHashSet<>();
    for (String id : kubeletIds) {
      String uuid = deviceOf(id, assigned);
      if (uuid == null || !requested.add(uuid)) {
        throw new AssignmentMismatch("device number not matched: kubelet asked for " + kubeletIds + " but pod "
            + pod.key() + " was assigned " + assigned + " for its device container #" + entryIndex + " ("
            + (uuid == null ? id + " is not a device of an assigned card" : "two devices of card " + uuid) + ")");
      }
    }
    if (entrySize(kubeletIds.size()) == kubeletIds.size() && !requested.equals(assigned)) {
      throw new AssignmentMismatch("device number not matched: kubelet asked for " + kubeletIds + " (cards "
          + requested + ") but pod " + pod.key() + " was assigned " + assigned);
    }
  }

  /** The assigned device a kubelet ID {@code <uuid>-<digits>} belongs to, or null. */
  private static @Nullable String deviceOf(String id, Set<String> assigned) {
    int dash = id.lastIndexOf('-');
    if (dash <= 0 || dash == id.length() - 1) {
      return null;
    }
    for (int i = dash + 1; i < id.length(); i++) {
      if (!Character.isDigit(id.charAt(i))) {
        return null;
      }
    }
    String uuid = id.substring(0, dash);
    return assigned.contains(uuid) ? uuid : null;
  }

  /**
   * The physical devices of an entry, in the scheduler's order: GetPreferredAllocation steers the kubelet to IDs of
   * them.
   */
  default List<String> expectedDevices(List<DeviceSlice> entry) {
    return entry.stream().map(DeviceSlice::physicalUuid).distinct().toList();
  }

  /**
   * The container's answer. Runs before the entry is consumed: an exception leaves the entry in place.
   *
   * @throws AssignmentMismatch when the pod's annotations do not allow an answer (the pod is marked failed)
   * @throws PreparationException when the node side cannot be prepared
   */
  ContainerAllocateResponse answer(ContainerAssignment assignment);
}
