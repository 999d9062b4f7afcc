package io.github.volcanovgpu.bridge.device;

/** A pod whose device request cannot be read (bad quantity, out-of-range value); the message names it. */
public final class InvalidDemandException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidDemandException(String message) {
    super(message);
  }
}
