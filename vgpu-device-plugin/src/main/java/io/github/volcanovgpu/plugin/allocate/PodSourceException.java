package io.github.volcanovgpu.plugin.allocate;

import java.util.Objects;

/** A read or write of the pod source failed; the message names the object and the API server's reason. */
public final class PodSourceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What kind of failure, so callers can decide to retry. */
  public enum Kind {
    /** The object does not exist (any more). */
    NOT_FOUND,
    /** The object changed since it was read (resourceVersion / UID precondition failed). */
    CONFLICT,
    /** No answer: connection refused, timeout, 5xx, throttling. */
    UNAVAILABLE,
    /** Anything else: forbidden, invalid. */
    OTHER
  }

  private final Kind kind;

  public PodSourceException(Kind kind, String message) {
    super(message);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public PodSourceException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public Kind kind() {
    return kind;
  }
}
