package io.github.volcanovgpu.bridge.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One RFC 6902 operation ({@code add} or {@code replace}) of a mutation.
 *
 * @param path an RFC 6901 pointer, already escaped (see {@link #escape})
 */
public record PatchOp(String op, String path, JsonNode value) {
  public PatchOp {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(value, "value");
    if (!op.equals("add") && !op.equals("replace")) {
      throw new IllegalArgumentException("unsupported patch op " + op);
    }
  }

  /** A JSON pointer token: {@code ~} as {@code ~0}, {@code /} as {@code ~1}. */
  public static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }
}
