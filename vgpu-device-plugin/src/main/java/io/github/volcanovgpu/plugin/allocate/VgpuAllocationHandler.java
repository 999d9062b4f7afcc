package io.github.volcanovgpu.plugin.allocate;

import io.github.volcanovgpu.contract.device.ResourceNames;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.grpc.Status;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Allocate of NVIDIA's vGPU resources (reference volcano-vgpu.md §3.4, §3.5): the pod-resolving Allocate
 * ({@link PodAllocationHandler}) over Volcano's vGPU annotations, the count resource's kubelet IDs
 * {@code <uuid>-<i>} checked against the entry's cards, answered by {@link ContainerResponses} (hami-core envs and
 * mounts, the device list, CDI, dynamic MIG). Memory and cores resources get one empty response per container.
 */
public final class VgpuAllocationHandler implements AllocationHandler {
  /** {@code vgpu-time} the existing plugin writes when a pod is done (max uint64), so it sorts last forever. */
  public static final String DONE_VGPU_TIME = AssignmentAnnotations.VOLCANO_DONE_TIME;

  private final PodAllocationHandler delegate;

  /** Releases the node lock before Allocate returns. */
  public VgpuAllocationHandler(AllocationSettings settings, PodSource pods) {
    this(settings, pods, Runnable::run);
  }

  /**
   * @param lockRelease where the node lock is released (see {@link PodAllocationHandler})
   */
  public VgpuAllocationHandler(AllocationSettings settings, PodSource pods, Executor lockRelease) {
    Objects.requireNonNull(settings, "settings");
    this.delegate = new PodAllocationHandler(new Vgpu(settings), settings.nodeName(), pods, lockRelease);
  }

  @Override
  public AllocateResponse allocate(String resourceName, AllocateRequest request) {
    return delegate.allocate(resourceName, request);
  }

  @Override
  public List<String> expectedCards(String resourceName, int size) {
    return delegate.expectedCards(resourceName, size);
  }

  /** NVIDIA vGPU as an {@link AllocationKind}. */
  private static final class Vgpu implements AllocationKind {
    private final ResourceNames names;
    private final ContainerResponses responses;

    Vgpu(AllocationSettings settings) {
      this.names = settings.resources();
      this.responses = new ContainerResponses(settings);
    }

    @Override
    public AssignmentAnnotations annotations() {
      return AssignmentAnnotations.volcanoVgpu();
    }

    @Override
    public String countResource() {
      return names.count();
    }

    @Override
    public Set<String> passiveResources() {
      return Set.of(names.memory(), names.cores());
    }

    /** Volcano's rule: a limit on the count resource above 0, or (without one) a limit on the memory resource. */
    @Override
    public boolean requestsDevices(PodSnapshot.Container c) {
      return c.limits().containsKey(names.count()) ? c.hasPositiveLimit(names.count())
          : c.hasPositiveLimit(names.memory());
    }

    @Override
    public ContainerAllocateResponse answer(ContainerAssignment a) {
      try {
        return responses.build(a);
      } catch (MigSlices.MigSliceException e) {
        throw new PreparationException(e.busy() ? Status.Code.FAILED_PRECONDITION : Status.Code.INTERNAL,
            "pod " + a.pod().key() + ": " + e.getMessage(), e);
      }
    }
  }
}
