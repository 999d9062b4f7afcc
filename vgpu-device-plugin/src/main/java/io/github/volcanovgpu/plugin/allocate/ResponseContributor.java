package io.github.volcanovgpu.plugin.allocate;

import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;

/**
 * One step of a kind's container answer (NVIDIA's plugin calls them {@code updateResponseFor...}): the device list,
 * the limiter's envs, its mounts. A kind runs its contributors in order on one response builder.
 */
@FunctionalInterface
public interface ResponseContributor {
  /**
   * Adds this step's envs, mounts, devices or annotations to {@code out}.
   *
   * @throws AssignmentMismatch when the pod's annotations do not allow an answer
   * @throws PreparationException when the node side cannot be prepared
   */
  void contribute(ContainerAssignment assignment, ContainerAllocateResponse.Builder out);
}
