package io.github.volcanovgpu.cdi;

/** A CDI name, annotation or spec breaks the CDI rules, or a spec cannot be read or written; the message says why. */
public class CdiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CdiException(String message) {
    super(message);
  }

  public CdiException(String message, Throwable cause) {
    super(message, cause);
  }
}
