package io.github.volcanovgpu.plugin.register;

import java.util.Map;
import java.util.Optional;

/** Reads and merge-patches this node's annotations (the API server in production). Thread-safe. */
public interface NodeAnnotator {
  /**
   * The node's current annotations.
   *
   * @throws NodeAnnotationException when the node cannot be read
   */
  Map<String, String> annotations(String node);

  /**
   * Sets (present value) or removes (empty) annotations.
   *
   * @throws NodeAnnotationException when the patch is refused or the API server is unreachable
   */
  void patch(String node, Map<String, Optional<String>> changes);

  /** Why the node could not be read or patched; safe to log. */
  final class NodeAnnotationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NodeAnnotationException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
