package io.github.volcanovgpu.plugin.allocate;

import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.PodDevices;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Allocate of one device kind whose devices the scheduler assigned through pod annotations (reference
 * volcano-vgpu.md §3.4, hami-features.md §1.9): per container request, find the pod ({@link PendingPodResolver}; from
 * the node's pod watch, else a LIST), let the kind check the kubelet's device IDs against the pod's next container
 * entry, map the entry to the pod's matching device-requesting regular container (init containers and containers
 * without the kind's resources have no entry), build the answer ({@link AllocationKind#answer}), then consume the
 * entry (replaced by an empty one) with a patch guarded by the pod's resourceVersion, verified on the stored pod the
 * patch returns. The last entry sets {@code bind-phase=success}; any failure sets {@code bind-phase=failed}, leaves
 * the entry and fails the whole Allocate. The node lock is released when a pod is done, on failure, and when no pod
 * is found.
 *
 * <p>Calls are serialised per kind: the kubelet allocates one pod at a time, and two concurrent Allocates must not
 * pick the same entry; across kinds the resourceVersion precondition keeps a pod's shared phase consistent.
 */
public final class PodAllocationHandler implements AllocationHandler {
  private static final Logger LOG = LoggerFactory.getLogger(PodAllocationHandler.class);
  /** Attempts when the pod changed between read and patch (409). */
  private static final int ATTEMPTS = 3;

  private final AllocationKind kind;
  private final AssignmentAnnotations keys;
  private final String nodeName;
  private final PodSource pods;
  private final PendingPodResolver resolver;
  private final Executor lockRelease;

  /**
   * @param lockRelease where the node lock is released: the scheduler waits for it, the kubelet does not, so a
   *     single background thread keeps the API calls it takes off the Allocate reply (in order, one at a time)
   */
  public PodAllocationHandler(AllocationKind kind, String nodeName, PodSource pods, Executor lockRelease) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.keys = kind.annotations();
    this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
    this.pods = Objects.requireNonNull(pods, "pods");
    this.lockRelease = Objects.requireNonNull(lockRelease, "lockRelease");
    this.resolver = new PendingPodResolver(nodeName, keys);
  }

  @Override
  public synchronized AllocateResponse allocate(String resourceName, AllocateRequest request) {
    AllocateResponse.Builder out = AllocateResponse.newBuilder();
    if (kind.passiveResources().contains(resourceName)) {
      for (int i = 0; i < request.getContainerRequestsCount(); i++) {
        out.addContainerResponses(ContainerAllocateResponse.getDefaultInstance());
      }
      return out.build();
    }
    if (!counts(resourceName)) {
      List<String> served = new ArrayList<>(List.of(kind.countResource()));
      served.addAll(new java.util.TreeSet<>(kind.countAliases()));
      served.addAll(new java.util.TreeSet<>(kind.passiveResources()));
      throw new AllocationException(Status.Code.INVALID_ARGUMENT, "resource " + resourceName
          + " is not served by this plugin (" + String.join(", ", served) + ")");
    }
    for (ContainerAllocateRequest container : request.getContainerRequestsList()) {
      out.addContainerResponses(allocateContainer(container.getDevicesIdsList()));
    }
    return out.build();
  }

  /**
   * The physical devices of the entry the next Allocate of {@code size} IDs will consume: the same pod choice as
   * {@link #allocate}, read from the node's pod watch (a LIST when the watch has no candidate yet). Not
   * synchronised: it only reads.
   */
  @Override
  public List<String> expectedCards(String resourceName, int size) {
    if (!counts(resourceName) || size <= 0) {
      return List.of();
    }
    int entrySize = kind.entrySize(size);
    try {
      Optional<PendingPodResolver.Candidate> found = resolver.resolve(pods.watchedPendingPodsOnNode(nodeName),
          entrySize);
      if (found.isEmpty()) { // the kubelet may have seen the pod a moment before our watch did
        found = resolver.resolve(pods.pendingPodsOnNode(nodeName), entrySize);
      }
      return found.map(c -> kind.expectedDevices(c.entry())).orElse(List.of());
    } catch (PodSourceException e) {
      LOG.debug("GetPreferredAllocation without a pod: {}", e.getMessage());
      return List.of();
    }
  }

  /** Whether Allocate of {@code resourceName} hands out entries (the count resource or one of its aliases). */
  private boolean counts(String resourceName) {
    return resourceName.equals(kind.countResource()) || kind.countAliases().contains(resourceName);
  }

  private ContainerAllocateResponse allocateContainer(List<String> deviceIds) {
    if (deviceIds.isEmpty()) {
      throw new AllocationException(Status.Code.INVALID_ARGUMENT,
          "container request for " + kind.countResource() + " has no device IDs");
    }
    int entrySize = kind.entrySize(deviceIds.size());
    for (int attempt = 1;; attempt++) {
      // First from the node's pod watch (no round trip); a miss or a conflict asks the API server itself.
      boolean fresh = attempt > 1;
      List<PodSnapshot> pending = pending(fresh);
      Optional<PendingPodResolver.Candidate> found = resolver.resolve(pending, entrySize);
      if (found.isEmpty() && !fresh) {
        fresh = true;
        pending = pending(true);
        found = resolver.resolve(pending, entrySize);
      }
      if (found.isEmpty()) {
        releaseLock();
        throw new AllocationException(Status.Code.NOT_FOUND,
            resolver.explainNoMatch(pending, entrySize) + "; kubelet asked for " + deviceIds);
      }
      PendingPodResolver.Candidate candidate = found.get();
      PodSnapshot pod = candidate.pod();
      try {
        kind.checkDevices(pod, candidate.entryIndex(), candidate.entry(), deviceIds);
        PodSnapshot.Container container = container(pod, candidate.entryIndex());
        ContainerAllocateResponse response = kind.answer(new ContainerAssignment(pod, container, candidate.entry()));
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
      } catch (AssignmentMismatch e) {
        if (!fresh) {
          // decided on the watch's copy, which may lag: only the API server's pod can fail the allocation
          LOG.debug("pod {} does not match on the watched copy, asking the API server: {}", pod.key(), e.getMessage());
          continue;
        }
        throw fail(pod, Status.Code.FAILED_PRECONDITION, e.getMessage(), e);
      } catch (PreparationException e) {
        throw fail(pod, e.code(), e.getMessage(), e);
      }
    }
  }

  private List<PodSnapshot> pending(boolean fresh) {
    try {
      return fresh ? pods.pendingPodsOnNode(nodeName) : pods.watchedPendingPodsOnNode(nodeName);
    } catch (PodSourceException e) {
      throw new AllocationException(Status.Code.UNAVAILABLE,
          "cannot list the pending pods of node " + nodeName + ": " + e.getMessage(), e);
    }
  }

  /**
   * The container entry {@code index} belongs to: the index-th regular container requesting the kind's devices
   * (init containers and containers without the kind's resources are not in the annotation).
   */
  private PodSnapshot.Container container(PodSnapshot pod, int index) {
    List<PodSnapshot.Container> requesting = pod.containers().stream().filter(kind::requestsDevices).toList();
    if (index >= requesting.size()) {
      throw new AssignmentMismatch("pod " + pod.key() + " has " + requesting.size() + " container(s) requesting "
          + kind.countResource() + " but " + keys.devicesToAllocate() + " has an entry for device container #"
          + index);
    }
    return requesting.get(index);
  }

  /**
   * Empties the entry; the last one (of every kind sharing the pod's bind phase) also sets bind-phase=success.
   * Verified on the pod the API server returns for the patch: the object as stored at its new resourceVersion, so
   * no second read is needed.
   */
  private void consume(PendingPodResolver.Candidate candidate) {
    PodSnapshot pod = candidate.pod();
    List<List<DeviceSlice>> left = new ArrayList<>(candidate.devices().containers());
    left.set(candidate.entryIndex(), List.of());
    PodDevices remaining = new PodDevices(left);
    String value = keys.framing().encode(remaining);
    boolean done = remaining.isEmpty() && !otherKindsPending(pod);
    Map<String, Optional<String>> changes = new LinkedHashMap<>();
    changes.put(keys.devicesToAllocate(), Optional.of(value));
    if (done) {
      changes.put(keys.bindPhase(), Optional.of(AssignmentAnnotations.SUCCESS));
      keys.doneTime().ifPresent(t -> changes.put(keys.assignedTime(), Optional.of(t)));
    }
    PodSnapshot back = pods.patchAnnotations(pod, changes);
    if (!back.uid().equals(pod.uid())
        || !value.equals(back.annotation(keys.devicesToAllocate()))
        || (done && !AssignmentAnnotations.SUCCESS.equals(back.annotation(keys.bindPhase())))) {
      throw new PodSourceException(PodSourceException.Kind.CONFLICT,
          "read-back of pod " + pod.key() + " does not show the consumed entry (" + keys.devicesToAllocate()
              + "=\"" + back.annotation(keys.devicesToAllocate()) + "\", expected \"" + value + "\")");
    }
    if (done) {
      LOG.info("pod {}: all containers allocated, {}={}", pod.key(), keys.bindPhase(), AssignmentAnnotations.SUCCESS);
      releaseLock();
    }
  }

  /** Whether another kind sharing the bind phase still has entries to hand out on the pod. */
  private boolean otherKindsPending(PodSnapshot pod) {
    return pod.annotations().entrySet().stream()
        .anyMatch(e -> keys.sharesPhaseWith(e.getKey()) && !keys.framing().decode(e.getValue()).isEmpty());
  }

  /** Marks the pod failed (best effort), releases the lock and returns the exception to throw. */
  private AllocationException fail(PodSnapshot pod, Status.Code code, String message, Throwable cause) {
    LOG.warn("Allocate of {} for pod {} failed: {}", kind.countResource(), pod.key(), message);
    markFailed(pod);
    releaseLock();
    return new AllocationException(code, message, cause);
  }

  private void markFailed(PodSnapshot pod) {
    Map<String, Optional<String>> changes = new LinkedHashMap<>();
    changes.put(keys.bindPhase(), Optional.of(AssignmentAnnotations.FAILED));
    keys.doneTime().ifPresent(t -> changes.put(keys.assignedTime(), Optional.of(t)));
    PodSnapshot current = pod;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        pods.patchAnnotations(current, changes);
        return;
      } catch (PodSourceException e) {
        if (e.kind() != PodSourceException.Kind.CONFLICT || attempt == ATTEMPTS) {
          LOG.warn("could not mark pod {} {}={}: {}", pod.key(), keys.bindPhase(), AssignmentAnnotations.FAILED,
              e.getMessage());
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
      if (pods.releaseNodeLock(nodeName, keys.nodeLock())) {
        LOG.debug("released node lock {} of {}", keys.nodeLock(), nodeName);
      }
    } catch (PodSourceException e) {
      LOG.warn("could not release node lock {} of {} (the scheduler takes it over after 5 minutes): {}",
          keys.nodeLock(), nodeName, e.getMessage());
    }
  }

  private static List<String> uuids(List<DeviceSlice> entry) {
    return entry.stream().map(DeviceSlice::uuid).toList();
  }
}
