package io.github.volcanovgpu.contract.annotation;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes JSON exactly as Go's {@code encoding/json} does for the values HAMi's annotations carry: strings with Go's
 * escaping ({@code <}, {@code >}, {@code &}, U+2028 and U+2029 escaped), maps with sorted keys, integral numbers
 * without a fraction. The peers compare nothing byte for byte, but the goldens do.
 */
final class GoJson {
  private final StringBuilder sb;
  private boolean needComma;

  GoJson(int capacity) {
    sb = new StringBuilder(capacity);
  }

  GoJson beginObject() {
    comma();
    sb.append('{');
    needComma = false;
    return this;
  }

  GoJson endObject() {
    sb.append('}');
    needComma = true;
    return this;
  }

  GoJson beginArray() {
    comma();
    sb.append('[');
    needComma = false;
    return this;
  }

  GoJson endArray() {
    sb.append(']');
    needComma = true;
    return this;
  }

  /** A member with {@code omitempty}: skipped when empty. */
  GoJson field(String name, String value) {
    return value.isEmpty() ? this : name(name).string(value);
  }

  /** A member with {@code omitempty}: skipped when 0. */
  GoJson field(String name, long value) {
    if (value == 0) {
      return this;
    }
    name(name);
    sb.append(value);
    needComma = true;
    return this;
  }

  /** A member with {@code omitempty}: skipped when false. */
  GoJson field(String name, boolean value) {
    if (!value) {
      return this;
    }
    name(name);
    sb.append("true");
    needComma = true;
    return this;
  }

  /** A {@code map[string]any} member with {@code omitempty}: skipped when empty, keys sorted. */
  GoJson field(String name, Map<String, Object> value) {
    if (value.isEmpty()) {
      return this;
    }
    name(name);
    value(value);
    return this;
  }

  GoJson name(String name) {
    comma();
    quote(name);
    sb.append(':');
    needComma = false;
    return this;
  }

  GoJson string(String value) {
    comma();
    quote(value);
    needComma = true;
    return this;
  }

  private void value(Object v) {
    if (v instanceof String s) {
      string(s);
    } else if (v instanceof Boolean b) {
      comma();
      sb.append(b.booleanValue());
      needComma = true;
    } else if (v instanceof Number n) {
      comma();
      double d = n.doubleValue();
      if (n instanceof Long || n instanceof Integer || (d == Math.rint(d) && Math.abs(d) < 1e21)) {
        sb.append(n instanceof Long || n instanceof Integer ? n.longValue() : (long) d);
      } else {
        sb.append(d);
      }
      needComma = true;
    } else if (v instanceof Map<?, ?> m) {
      beginObject();
      for (Map.Entry<?, ?> e : new TreeMap<>(m).entrySet()) {
        name(String.valueOf(e.getKey()));
        value(e.getValue());
      }
      endObject();
    } else if (v instanceof List<?> l) {
      beginArray();
      for (Object o : l) {
        value(o);
      }
      endArray();
    } else {
      comma();
      sb.append("null");
      needComma = true;
    }
  }

  private void comma() {
    if (needComma) {
      sb.append(',');
    }
  }

  private void quote(String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '<', '>', '&', '\u2028', '\u2029' -> sb.append(String.format("\\u%04x", (int) c));
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  @Override
  public String toString() {
    return sb.toString();
  }
}
