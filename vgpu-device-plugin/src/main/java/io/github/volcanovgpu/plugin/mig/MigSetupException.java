package io.github.volcanovgpu.plugin.mig;

/** The node's MIG state does not fit the configured MIG strategy or mode; the message says what to change. */
public final class MigSetupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MigSetupException(String message) {
    super(message);
  }
}
