package io.github.volcanovgpu.mig.reconcile;

/** A layout that was not applied; the message names the GPU and why. {@link #busy()} = refused for running clients. */
public final class MigApplyException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final boolean busy;

  public MigApplyException(String message, boolean busy) {
    super(message);
    this.busy = busy;
  }

  public MigApplyException(String message, Throwable cause) {
    super(message, cause);
    this.busy = false;
  }

  /** True when the change was refused because processes run on the GPU. */
  public boolean busy() {
    return busy;
  }
}
