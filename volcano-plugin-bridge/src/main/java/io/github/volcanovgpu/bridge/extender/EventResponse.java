package io.github.volcanovgpu.bridge.extender;

import java.util.Objects;

/**
 * Volcano's answer to allocateFunc / deallocateFunc: {@code {"errorMessage": ""}}. A non-empty message on allocate
 * makes Volcano roll the task back.
 */
public record EventResponse(String errorMessage) {
  public EventResponse {
    Objects.requireNonNull(errorMessage, "errorMessage");
  }

  public boolean ok() {
    return errorMessage.isEmpty();
  }
}
