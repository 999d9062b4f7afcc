package io.github.volcanovgpu.plugin.monitor;

import java.util.List;

/** The containers the kubelet has admitted on this node, with their devices. */
public interface PodResourcesSource {
  /**
   * @throws PodResourcesException naming the socket when the kubelet cannot be asked
   */
  List<PodContainer> list();

  /** The kubelet could not be asked; the message names the socket and why. */
  final class PodResourcesException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PodResourcesException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
