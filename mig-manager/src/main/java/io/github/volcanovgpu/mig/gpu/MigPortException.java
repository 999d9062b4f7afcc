package io.github.volcanovgpu.mig.gpu;

/** A MIG operation the driver (or the fake) refused; the message names GPU, operation and NVML's reason. */
public final class MigPortException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int nvmlCode;

  public MigPortException(String message, int nvmlCode) {
    super(message);
    this.nvmlCode = nvmlCode;
  }

  /** NVML return code (e.g. 23 INSUFFICIENT_RESOURCES), or -1 when not from NVML. */
  public int nvmlCode() {
    return nvmlCode;
  }
}
