package io.github.volcanovgpu.bridge.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubernetes.client.openapi.ApiException;
import java.io.IOException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link ApiException} means, in words safe to show to users: the HTTP status, the API server's reason
 * ({@code NotFound}, {@code Conflict}, ...) and message from the {@code Status} body, or why the server could not be
 * reached.
 *
 * @param httpStatus the HTTP status; 0 when no response arrived (connection refused, timeout, TLS failure)
 */
record ApiFailure(int httpStatus, String reason, String message) {
  private static final ObjectMapper JSON = new ObjectMapper();

  ApiFailure {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }

  static ApiFailure of(ApiException e) {
    if (e.getCode() == 0) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String text = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      return new ApiFailure(0, "Unreachable", text);
    }
    String reason = "";
    String message = "";
    String body = e.getResponseBody();
    if (body != null && !body.isBlank()) {
      try {
        JsonNode status = JSON.readTree(body);
        reason = text(status.get("reason"));
        message = text(status.get("message"));
      } catch (IOException notJson) {
        message = body.length() > 200 ? body.substring(0, 200) + "..." : body;
      }
    }
    return new ApiFailure(e.getCode(), reason, message.isEmpty() ? orEmpty(e.getMessage()) : message);
  }

  static ApiFailure of(IOException e) {
    return new ApiFailure(0, "Unreachable", e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
  }

  boolean isNotFound() {
    return httpStatus == 404;
  }

  boolean isConflict() {
    return httpStatus == 409;
  }

  /** Worth retrying: no response, throttled, or a server-side error. */
  boolean isTransient() {
    return httpStatus == 0 || httpStatus == 429 || httpStatus >= 500;
  }

  /** For example {@code HTTP 404 NotFound: pods "p" not found} or {@code API server unreachable: Connection refused}. */
  String describe() {
    if (httpStatus == 0) {
      return "API server unreachable: " + message;
    }
    StringBuilder text = new StringBuilder("HTTP ").append(httpStatus);
    if (!reason.isEmpty()) {
      text.append(' ').append(reason);
    }
    if (!message.isEmpty()) {
      text.append(": ").append(message);
    }
    return text.toString();
  }

  private static String text(@Nullable JsonNode node) {
    return node == null || node.isNull() ? "" : node.asText();
  }

  private static String orEmpty(@Nullable String value) {
    return value == null ? "" : value;
  }
}
