package io.github.volcanovgpu.plugin.allocate;

import io.github.volcanovgpu.contract.annotation.PodDevicesCodec;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.PodDevices;
import io.github.volcanovgpu.contract.device.ResourceNames;
import io.github.volcanovgpu.plugin.kubelet.AllocationHandler;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Allocate of the vGPU resources (reference volcano-vgpu.md §3.4, §3.5). For the count resource, per container
 * request: find the pod ({@link PendingPodResolver}; from the node's pod watch, else a LIST), check the kubelet's device IDs ({@code <uuid>-<i>}) against the
 * UUIDs of the pod's next container entry, map that entry to the pod's matching GPU-requesting regular container,
 * build envs and mounts ({@link ContainerResponses}), then consume the entry with a patch guarded by the pod's
 * resourceVersion, verified on the stored pod the patch returns. The last entry sets {@code bind-phase=success}; any failure sets
 * {@code bind-phase=failed} and fails the whole Allocate. The node lock {@code hamivgpu} is released when a pod is
 * done, on failure, and when no pod is found. Memory and cores resources get one empty response per container.
 *
 * <p>Calls are serialised: the kubelet allocates one pod at a time, and two concurrent Allocates must not pick the
 * same entry.
 */
public final class VgpuAllocationHandler implements AllocationHandler {
  /** {@code vgpu-time} the existing plugin writes when a pod is done (max uint64), so it sorts last forever. */
  public static final String DONE_VGPU_TIME = "18446744073709551615";

  private static final Logger LOG = LoggerFactory.getLogger(VgpuAllocationHandler.class);
  /** Attempts when the pod changed between read and patch (409). */
  private static final int ATTEMPTS = 3;

  private final AllocationSettings settings;
  private final PodSource pods;
  private final PendingPodResolver resolver;
  private final ContainerResponses responses;
  private final Executor lockRelease;

  /** Releases the node lock before Allocate returns. */
  public VgpuAllocationHandler(AllocationSettings settings, PodSource pods) {
    this(settings, pods, Runnable::run);
  }

  /**
   * @param lockRelease where the node lock is released: the scheduler waits for it, the kubelet does not, so a
   *     single background thread keeps the two API calls it takes off the Allocate reply (in order, one at a time)
   */
  public VgpuAllocationHandler(AllocationSettings settings, PodSource pods, Executor lockRelease) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.pods = Objects.requireNonNull(pods, "pods");
    this.lockRelease = Objects.requireNonNull(lockRelease, "lockRelease");
    this.resolver = new PendingPodResolver(settings.nodeName());
    this.responses = new ContainerResponses(settings);
  }

  @Override
  public synchronized AllocateResponse allocate(String resourceName, AllocateRequest request) {
    ResourceNames names = settings.resources();
    if (!names.contains(resourceName)) {
      throw new AllocationException(Status.Code.INVALID_ARGUMENT,
          "resource " + resourceName + " is not served by this plugin (count " + names.count() + ", memory "
              + names.memory() + ", cores " + names.cores() + ")");
    }
    AllocateResponse.Builder out = AllocateResponse.newBuilder();
    if (!resourceName.equals(names.count())) {
      for (int i = 0; i < request.getContainerRequestsCount(); i++) {
        out.addContainerResponses(ContainerAllocateResponse.getDefaultInstance());
      }
      return out.build();
    }
    for (ContainerAllocateRequest container : request.getContainerRequestsList()) {
      out.addContainerResponses(allocateContainer(container.getDevicesIdsList()));
    }
    return out.build();
  }

  /**
   * The physical cards of the entry the next Allocate of {@code size} count IDs will consume: the same pod choice
   * as {@link #allocate}, read from the node's pod watch (a LIST when the watch has no candidate yet). Not
   * synchronised: it only reads.
   */
  @Override
  public List<String> expectedCards(String resourceName, int size) {
    if (!resourceName.equals(settings.resources().count()) || size <= 0) {
      return List.of();
    }
    try {
      Optional<PendingPodResolver.Candidate> found =
          resolver.resolve(pods.watchedPendingPodsOnNode(settings.nodeName()), size);
      if (found.isEmpty()) { // the kubelet may have seen the pod a moment before our watch did
        found = resolver.resolve(pods.pendingPodsOnNode(settings.nodeName()), size);
      }
      return found.map(c -> c.entry().stream().map(DeviceSlice::physicalUuid).distinct().toList())
          .orElse(List.of());
    } catch (PodSourceException e) {
      LOG.debug("GetPreferredAllocation without a pod: {}", e.getMessage());
      return List.of();
    }
  }

  private ContainerAllocateResponse allocateContainer(List<String> deviceIds) {
    if (deviceIds.isEmpty()) {
      throw new AllocationException(Status.Code.INVALID_ARGUMENT,
          "container request for " + settings.resources().count() + " has no device IDs");
    }
    String node = settings.nodeName();
    for (int attempt = 1; ; attempt++) {
      // First from the node's pod watch (no round trip); a miss or a conflict asks the API server itself.
      boolean fresh = attempt > 1;
      List<PodSnapshot> pending = pending(node, fresh);
      Optional<PendingPodResolver.Candidate> found = resolver.resolve(pending, deviceIds.size());
      if (found.isEmpty() && !fresh) {
        fresh = true;
        pending = pending(node, true);
        found = resolver.resolve(pending, deviceIds.size());
      }
      if (found.isEmpty()) {
        releaseLock();
        throw new AllocationException(Status.Code.NOT_FOUND,
            resolver.explainNoMatch(pending, deviceIds.size()) + "; kubelet asked for " + deviceIds);
      }
      PendingPodResolver.Candidate candidate = found.get();
      PodSnapshot pod = candidate.pod();
      try {
        checkDevices(candidate, deviceIds);
        PodSnapshot.Container container = gpuContainer(pod, candidate.entryIndex());
        ContainerAllocateResponse response = responses.build(pod, container, candidate.entry());
        consume(candidate);
        LOG.info("allocated {} to container {} of pod {} (devices {})", uuids(candidate.entry()),
            container.name(), pod.key(), deviceIds);
        return response;
      } catch (PodSourceException e) {
        if (e.kind() == PodSourceException.Kind.CONFLICT && attempt < ATTEMPTS) {
          LOG.debug("pod {} changed while allocating (attempt {} of {}): {}", pod.key(), attempt, ATTEMPTS,
              e.getMessage());
          continue;
        }
        Status.Code code = e.kind() == PodSourceException.Kind.UNAVAILABLE
            ? Status.Code.UNAVAILABLE : Status.Code.ABORTED;
        throw fail(pod, code, "cannot record the allocation on pod " + pod.key() + ": " + e.getMessage(), e);
      } catch (Mismatch e) {
        if (!fresh) {
          // decided on the watch's copy, which may lag: only the API server's pod can fail the allocation
          LOG.debug("pod {} does not match on the watched copy, asking the API server: {}", pod.key(), e.getMessage());
          continue;
        }
        throw fail(pod, Status.Code.FAILED_PRECONDITION, e.getMessage(), e);
      } catch (ContainerResponses.HostDirectoryException e) {
        throw fail(pod, Status.Code.INTERNAL, e.getMessage(), e);
      } catch (MigSlices.MigSliceException e) {
        throw fail(pod, e.busy() ? Status.Code.FAILED_PRECONDITION : Status.Code.INTERNAL,
            "pod " + pod.key() + ": " + e.getMessage(), e);
      }
    }
  }

  private List<PodSnapshot> pending(String node, boolean fresh) {
    try {
      return fresh ? pods.pendingPodsOnNode(node) : pods.watchedPendingPodsOnNode(node);
    } catch (PodSourceException e) {
      throw new AllocationException(Status.Code.UNAVAILABLE,
          "cannot list the pending pods of node " + node + ": " + e.getMessage(), e);
    }
  }

  /**
   * Every kubelet ID must be {@code <uuid>-<i>} of a UUID assigned to this entry, and together they must cover each
   * assigned card once: never hand out a device the scheduler did not assign.
   */
  static void checkDevices(PendingPodResolver.Candidate candidate, List<String> deviceIds) {
    List<DeviceSlice> entry = candidate.entry();
    Set<String> assigned = new LinkedHashSet<>();
    for (DeviceSlice slice : entry) {
      assigned.add(slice.physicalUuid());
    }
    Set<String> requested = new LinkedHashSet<>();
    for (String id : deviceIds) {
      String uuid = cardOf(id, assigned);
      if (uuid == null || !requested.add(uuid)) {
        throw new Mismatch("device number not matched: kubelet asked for " + deviceIds + " but pod "
            + candidate.pod().key() + " was assigned " + assigned + " for its GPU container #"
            + candidate.entryIndex() + " (" + (uuid == null ? id + " is not a device of an assigned card"
            : "two devices of card " + uuid) + ")");
      }
    }
    if (!requested.equals(assigned)) {
      throw new Mismatch("device number not matched: kubelet asked for " + deviceIds + " (cards " + requested
          + ") but pod " + candidate.pod().key() + " was assigned " + assigned);
    }
  }

  /** The assigned card a kubelet ID {@code <uuid>-<digits>} belongs to, or null. */
  private static String cardOf(String id, Set<String> assigned) {
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
   * The container entry {@code index} belongs to: the index-th GPU-requesting regular container (init containers
   * and containers without vGPU limits are not in the annotation).
   */
  PodSnapshot.Container gpuContainer(PodSnapshot pod, int index) {
    List<PodSnapshot.Container> gpu = new ArrayList<>();
    for (PodSnapshot.Container c : pod.containers()) {
      if (requestsGpu(c)) {
        gpu.add(c);
      }
    }
    if (index >= gpu.size()) {
      throw new Mismatch("pod " + pod.key() + " has " + gpu.size() + " container(s) requesting "
          + settings.resources().count() + " but " + VgpuAnnotations.DEVICES_TO_ALLOCATE + " has an entry for GPU"
          + " container #" + index);
    }
    return gpu.get(index);
  }

  /** Volcano's rule: a limit on the count resource above 0, or (without one) a limit on the memory resource. */
  boolean requestsGpu(PodSnapshot.Container c) {
    String count = c.limits().get(settings.resources().count());
    if (count != null) {
      return positive(count);
    }
    String memory = c.limits().get(settings.resources().memory());
    return memory != null && positive(memory);
  }

  private static boolean positive(String quantity) {
    try {
      return new java.math.BigDecimal(quantity.trim()).signum() > 0;
    } catch (NumberFormatException e) {
      return true; // not a plain number: KubePodSource gives plain decimals, keep the limit as a request
    }
  }

  /**
   * Empties the entry; the last one also sets bind-phase=success. Verified on the pod the API server returns for
   * the patch: the object as stored at its new resourceVersion, so no second read is needed.
   */
  private void consume(PendingPodResolver.Candidate candidate) {
    PodSnapshot pod = candidate.pod();
    List<List<DeviceSlice>> left = new ArrayList<>(candidate.devices().containers());
    left.set(candidate.entryIndex(), List.of());
    PodDevices remaining = new PodDevices(left);
    String value = PodDevicesCodec.encode(remaining);
    boolean done = remaining.isEmpty();
    Map<String, Optional<String>> changes = new LinkedHashMap<>();
    changes.put(VgpuAnnotations.DEVICES_TO_ALLOCATE, Optional.of(value));
    if (done) {
      changes.put(VgpuAnnotations.BIND_PHASE, Optional.of(VgpuAnnotations.BIND_PHASE_SUCCESS));
      changes.put(VgpuAnnotations.VGPU_TIME, Optional.of(DONE_VGPU_TIME));
    }
    PodSnapshot back = pods.patchAnnotations(pod, changes);
    if (!back.uid().equals(pod.uid())
        || !value.equals(back.annotation(VgpuAnnotations.DEVICES_TO_ALLOCATE))
        || (done && !VgpuAnnotations.BIND_PHASE_SUCCESS.equals(back.annotation(VgpuAnnotations.BIND_PHASE)))) {
      throw new PodSourceException(PodSourceException.Kind.CONFLICT,
          "read-back of pod " + pod.key() + " does not show the consumed entry (" + VgpuAnnotations.DEVICES_TO_ALLOCATE
              + "=\"" + back.annotation(VgpuAnnotations.DEVICES_TO_ALLOCATE) + "\", expected \"" + value + "\")");
    }
    if (done) {
      LOG.info("pod {}: all containers allocated, {}={}", pod.key(), VgpuAnnotations.BIND_PHASE,
          VgpuAnnotations.BIND_PHASE_SUCCESS);
      releaseLock();
    }
  }

  /** Marks the pod failed (best effort), releases the lock and returns the exception to throw. */
  private AllocationException fail(PodSnapshot pod, Status.Code code, String message, Throwable cause) {
    LOG.warn("Allocate for pod {} failed: {}", pod.key(), message);
    markFailed(pod);
    releaseLock();
    return new AllocationException(code, message, cause);
  }

  private void markFailed(PodSnapshot pod) {
    Map<String, Optional<String>> changes = new LinkedHashMap<>();
    changes.put(VgpuAnnotations.BIND_PHASE, Optional.of(VgpuAnnotations.BIND_PHASE_FAILED));
    changes.put(VgpuAnnotations.VGPU_TIME, Optional.of(DONE_VGPU_TIME));
    PodSnapshot current = pod;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        pods.patchAnnotations(current, changes);
        return;
      } catch (PodSourceException e) {
        if (e.kind() != PodSourceException.Kind.CONFLICT || attempt == ATTEMPTS) {
          LOG.warn("could not mark pod {} {}={}: {}", pod.key(), VgpuAnnotations.BIND_PHASE,
              VgpuAnnotations.BIND_PHASE_FAILED, e.getMessage());
          return;
        }
        try {
          current = pods.readPod(pod.namespace(), pod.name());
        } catch (PodSourceException gone) {
          LOG.warn("could not mark pod {} failed: {}", pod.key(), gone.getMessage());
          return;
        }
        if (!current.uid().equals(pod.uid())) {
          return; // re-created: not ours to mark
        }
      }
    }
  }

  private void releaseLock() {
    try {
      lockRelease.execute(this::releaseLockNow);
    } catch (RejectedExecutionException e) {
      releaseLockNow(); // shutting down: do it here rather than leave the node locked
    }
  }

  private void releaseLockNow() {
    try {
      if (pods.releaseNodeLock(settings.nodeName())) {
        LOG.debug("released node lock {} of {}", VgpuAnnotations.NODE_LOCK, settings.nodeName());
      }
    } catch (PodSourceException e) {
      LOG.warn("could not release node lock {} of {} (the scheduler takes it over after 5 minutes): {}",
          VgpuAnnotations.NODE_LOCK, settings.nodeName(), e.getMessage());
    }
  }

  private static List<String> uuids(List<DeviceSlice> entry) {
    return entry.stream().map(DeviceSlice::uuid).toList();
  }

  /** The pod's assignment does not fit the kubelet's request or the pod spec. */
  static final class Mismatch extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Mismatch(String message) {
      super(message, null, false, false);
    }
  }
}
