package io.github.volcanovgpu.plugin.allocate;

/**
 * A pod's assignment does not fit the kubelet's request or the pod itself (device IDs of devices not assigned,
 * more entries than requesting containers, a malformed kind annotation). The Allocate fails with
 * {@code FAILED_PRECONDITION}, the pod is marked {@code failed} and its entry is left as it was. The message names
 * the pod and what is wrong; it is what the kubelet shows as the pod's admission error.
 */
public final class AssignmentMismatch extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AssignmentMismatch(String message) {
    super(message, null, false, false);
  }
}
