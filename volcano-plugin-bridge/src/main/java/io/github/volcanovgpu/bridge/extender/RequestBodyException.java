package io.github.volcanovgpu.bridge.extender;

/**
 * A request body that is not what the verb expects (malformed JSON, a wrong type, a missing field). The message is
 * written for the caller (it names the field path and what was wrong) and is sent back with HTTP 400.
 */
final class RequestBodyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  RequestBodyException(String message) {
    super(message, null, false, false);
  }
}
