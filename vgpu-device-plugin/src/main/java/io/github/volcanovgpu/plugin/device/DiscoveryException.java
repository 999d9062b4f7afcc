package io.github.volcanovgpu.plugin.device;

/** Devices could not be discovered (no driver, NVML error); the message says what to check. */
public final class DiscoveryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DiscoveryException(String message) {
    super(message);
  }

  public DiscoveryException(String message, Throwable cause) {
    super(message, cause);
  }
}
