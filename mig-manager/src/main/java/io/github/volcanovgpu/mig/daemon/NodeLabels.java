package io.github.volcanovgpu.mig.daemon;

import java.util.Map;

/** The node's labels: read all, set some. Implemented over the API server and in memory for tests. */
public interface NodeLabels {
  /** The node's current labels. */
  Map<String, String> labels();

  /** Sets (merges) these labels. */
  void set(Map<String, String> labels);

  /** Reading or writing the node failed; the message says which node and why. */
  final class NodeLabelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NodeLabelException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
