package io.github.volcanovgpu.contract.annotation;

/** An annotation value that does not follow its wire format; the message names the key and what was wrong. */
public final class AnnotationFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public AnnotationFormatException(String message) {
    super(message);
  }
}
