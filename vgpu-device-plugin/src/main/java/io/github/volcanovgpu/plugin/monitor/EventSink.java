package io.github.volcanovgpu.plugin.monitor;

/** Where the monitor's Warning Events go (the API server, or a list in tests). */
public interface EventSink {
  /**
   * A Warning Event on a pod.
   *
   * @throws RuntimeException with a message naming the pod when it cannot be recorded
   */
  void onPod(String namespace, String pod, String podUid, String reason, String message);

  /** A Warning Event on this node. */
  void onNode(String reason, String message);
}
