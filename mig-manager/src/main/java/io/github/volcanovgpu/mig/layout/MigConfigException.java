package io.github.volcanovgpu.mig.layout;

/** A mig-parted config that cannot be read; the message is mig-parted's wording where it has one. */
public final class MigConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MigConfigException(String message) {
    super(message);
  }
}
