package io.github.volcanovgpu.plugin.allocate;

import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateResponse;
import java.util.List;

/**
 * Answers the kubelet's Allocate for one advertised resource. The kubelet protocol layer validates the device IDs
 * against what it advertised before calling; the handler finds the pod and builds the container responses.
 * Thread-safe.
 */
public interface AllocationHandler {
  /**
   * @param resourceName the resource the kubelet allocates (e.g. {@code volcano.sh/vgpu-number})
   * @throws AllocationException with a gRPC status and a message naming pod / devices
   */
  AllocateResponse allocate(String resourceName, AllocateRequest request);

  /**
   * The cards (UUIDs, in the order the scheduler assigned them) that the next Allocate of {@code size} IDs of
   * {@code resourceName} is expected to be for, so GetPreferredAllocation can steer the kubelet to them. Best effort
   * and side-effect free: empty when unknown or on any error.
   */
  default List<String> expectedCards(String resourceName, int size) {
    return List.of();
  }

  /** Why an Allocate failed; {@link #code()} is the gRPC status code to answer with. */
  final class AllocationException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final io.grpc.Status.Code code;

    public AllocationException(io.grpc.Status.Code code, String message) {
      super(message);
      this.code = code;
    }

    public AllocationException(io.grpc.Status.Code code, String message, Throwable cause) {
      super(message, cause);
      this.code = code;
    }

    public io.grpc.Status.Code code() {
      return code;
    }
  }
}
