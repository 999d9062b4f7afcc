package io.github.volcanovgpu.mig.gpu;

/**
 * MIG mode of one GPU. {@code current != pending} means a change waits for a GPU reset.
 *
 * @param capable false when NVML answers NOT_SUPPORTED
 */
public record MigMode(boolean capable, boolean current, boolean pending) {
  public static final MigMode NOT_CAPABLE = new MigMode(false, false, false);

  public boolean changePending() {
    return current != pending;
  }
}
