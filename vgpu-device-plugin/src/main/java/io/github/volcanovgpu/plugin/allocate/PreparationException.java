package io.github.volcanovgpu.plugin.allocate;

import io.grpc.Status;
import java.util.Objects;

/**
 * The node side of a container cannot be prepared (a host directory, a CDI spec, a MIG layout): the Allocate fails
 * with {@link #code()}, the pod is marked {@code failed}.
 */
public class PreparationException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final Status.Code code;

  public PreparationException(Status.Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** The gRPC status the Allocate answers with. */
  public Status.Code code() {
    return code;
  }
}
