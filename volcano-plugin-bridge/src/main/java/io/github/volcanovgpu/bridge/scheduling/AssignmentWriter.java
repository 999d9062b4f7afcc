package io.github.volcanovgpu.bridge.scheduling;

import io.github.volcanovgpu.bridge.model.PodView;
import java.util.Map;
import java.util.Optional;

/**
 * Writes assignment annotations to pods (the API server in production, an in-memory cluster in the simulator).
 * Implementations are thread-safe.
 */
public interface AssignmentWriter {
  /**
   * Merge-patches the pod's annotations: entries with a value are set, entries mapped to an empty
   * {@link Optional} are removed. Returns when the API server has accepted the change.
   *
   * @throws AssignmentWriteException naming the pod and why the write failed (not found, conflict, unreachable)
   */
  void patchAnnotations(PodView pod, Map<String, Optional<String>> changes);

  /** Why writing annotations failed; the message is safe to show to users. */
  final class AssignmentWriteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AssignmentWriteException(String message, Throwable cause) {
      super(message, cause);
    }

    public AssignmentWriteException(String message) {
      super(message);
    }
  }

  /** For a sidecar run without an API server: any write is refused with a clear reason. */
  AssignmentWriter UNAVAILABLE =
      (pod, changes) -> {
        throw new AssignmentWriteException(
            "cannot write vGPU annotations of pod " + pod.key() + ": no Kubernetes API server configured");
      };
}
