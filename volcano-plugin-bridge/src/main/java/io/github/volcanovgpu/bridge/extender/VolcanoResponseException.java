package io.github.volcanovgpu.bridge.extender;

/** A response body Volcano's Go decoder would refuse; the message says why, as Volcano would log it. */
public final class VolcanoResponseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public VolcanoResponseException(String message) {
    super(message);
  }
}
