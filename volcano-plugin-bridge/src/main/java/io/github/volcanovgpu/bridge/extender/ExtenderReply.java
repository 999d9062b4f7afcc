package io.github.volcanovgpu.bridge.extender;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The answer to one extender request: an HTTP status and a JSON body (never empty).
 *
 * @param httpStatus 200 for every answer Volcano should decode (rejections and engine errors included), 400 for a
 *     body that is not what the verb expects
 * @param body UTF-8 JSON; not copied, callers must not modify it
 */
public record ExtenderReply(int httpStatus, byte[] body) {
  public ExtenderReply {
    Objects.requireNonNull(body, "body");
    if (body.length == 0) {
      throw new IllegalArgumentException("an extender reply always has a JSON body");
    }
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExtenderReply r && r.httpStatus == httpStatus && java.util.Arrays.equals(r.body, body);
  }

  @Override
  public int hashCode() {
    return 31 * httpStatus + java.util.Arrays.hashCode(body);
  }

  @Override
  public String toString() {
    return "ExtenderReply[" + httpStatus + " " + bodyText() + "]";
  }
}
