package io.github.volcanovgpu.bridge.scheduling;

import java.util.Objects;

/** Answer to allocateFunc / deallocateFunc: empty error message on success. */
public record EventResult(String errorMessage) {
  private static final EventResult OK = new EventResult("");

  public EventResult {
    Objects.requireNonNull(errorMessage, "errorMessage");
  }

  public static EventResult ok() {
    return OK;
  }

  public static EventResult failed(String message) {
    if (message.isEmpty()) {
      throw new IllegalArgumentException("a failure needs a message");
    }
    return new EventResult(message);
  }

  public boolean isOk() {
    return errorMessage.isEmpty();
  }
}
