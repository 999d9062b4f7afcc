package io.github.volcanovgpu.bridge.admission;

import java.util.List;
import java.util.Objects;

/** The webhook's answer to one review. */
public sealed interface AdmissionDecision {
  /** Admitted, with the patch to apply (empty: unchanged). */
  record Allowed(List<PatchOp> patch) implements AdmissionDecision {
    public Allowed {
      patch = List.copyOf(patch);
    }
  }

  /**
   * Refused; the API server shows {@code message} to the user.
   *
   * @param code HTTP status in the review's {@code status.code}: 403 for policy, 400 for a malformed request
   */
  record Denied(String message, int code) implements AdmissionDecision {
    public Denied {
      Objects.requireNonNull(message, "message");
    }
  }

  AdmissionDecision UNCHANGED = new Allowed(List.of());

  static AdmissionDecision deny(String message) {
    return new Denied(message, 403);
  }
}
