package io.github.volcanovgpu.bridge.admission;

/** A request body that is not an AdmissionReview v1 with a request; the message says what is wrong. */
public final class MalformedReviewException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public MalformedReviewException(String message) {
    super(message);
  }
}
