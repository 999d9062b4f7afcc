package io.github.volcanovgpu.bridge.extender;

import java.util.Objects;

/**
 * Volcano's {@code PredicateResponse}: {@code {"status": "<reason>", "code": <int>}}. Volcano lets the node pass
 * when {@code status} is empty (whatever the code) and otherwise records a fit error with that reason and code
 * (code 0 counted as 1, Error).
 */
public record PredicateResponse(String status, int code) {
  public PredicateResponse {
    Objects.requireNonNull(status, "status");
  }

  /** True when Volcano would let the node pass. */
  public boolean passes() {
    return status.isEmpty();
  }
}
