package io.github.volcanovgpu.bridge.extender;

import java.nio.charset.StandardCharsets;

/**
 * A cursor over JSON bytes that reads structure and object keys and skips values without tokenizing them: a
 * skipped value is only checked for balanced brackets and terminated strings, numbers and literals are not parsed
 * and no strings are decoded. Used where a body carries much more than the decision needs (the NodeInfos of a
 * prioritize call when the engine reads nodes from its cache); everything that is read goes through Jackson.
 */
final class JsonScanner {
  private final byte[] bytes;
  private final int end;
  private int pos;

  JsonScanner(byte[] bytes, int offset, int length) {
    this.bytes = bytes;
    this.pos = offset;
    this.end = offset + length;
  }

  int position() {
    return pos;
  }

  int end() {
    return end;
  }

  /** Skips whitespace; true when a byte follows. */
  boolean hasMore() {
    skipWhitespace();
    return pos < end;
  }

  /** The next non-whitespace byte, not consumed. */
  byte peek(String where) {
    skipWhitespace();
    if (pos >= end) {
      throw new RequestBodyException("unexpected end of body in " + where);
    }
    return bytes[pos];
  }

  void expect(char c, String where) {
    byte b = peek(where);
    if (b != c) {
      throw new RequestBodyException(
          where + ": expected '" + c + "' but found " + describe(b) + " at byte " + pos);
    }
    pos++;
  }

  /** Consumes {@code c} if it is the next non-whitespace byte. */
  boolean consume(char c) {
    skipWhitespace();
    if (pos < end && bytes[pos] == c) {
      pos++;
      return true;
    }
    return false;
  }

  /** After a member or element: consumes ',' (true) or the closing bracket (false). */
  boolean nextMember(char close, String where) {
    byte b = peek(where);
    if (b == ',') {
      pos++;
      return true;
    }
    if (b == close) {
      pos++;
      return false;
    }
    throw new RequestBodyException(
        where + ": expected ',' or '" + close + "' but found " + describe(b) + " at byte " + pos);
  }

  /** True (and consumed) if the next value is the literal {@code null}. */
  boolean consumeNull() {
    skipWhitespace();
    if (end - pos >= 4 && bytes[pos] == 'n' && bytes[pos + 1] == 'u' && bytes[pos + 2] == 'l'
        && bytes[pos + 3] == 'l') {
      pos += 4;
      return true;
    }
    return false;
  }

  /** Reads a JSON string (the cursor is on its opening quote) and decodes its escapes. */
  String readString(String where) {
    expect('"', where);
    int start = pos;
    boolean escaped = false;
    while (true) {
      if (pos >= end) {
        throw new RequestBodyException("unterminated string in " + where);
      }
      byte b = bytes[pos];
      if (b == '"') {
        break;
      }
      if (b == '\\') {
        escaped = true;
        pos += 2;
      } else {
        pos++;
      }
    }
    int stop = pos;
    pos++;
    return escaped
        ? unescape(start, stop, where)
        : new String(bytes, start, stop - start, StandardCharsets.UTF_8);
  }

  /** Skips one value of any kind. */
  void skipValue(String where) {
    byte b = peek(where);
    if (b == '"') {
      skipString(where);
    } else if (b == '{' || b == '[') {
      pos++;
      skipNested(1, where);
    } else {
      int start = pos;
      while (pos < end) {
        byte c = bytes[pos];
        if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t') {
          break;
        }
        pos++;
      }
      if (pos == start) {
        throw new RequestBodyException(where + ": expected a value but found " + describe(b) + " at byte " + pos);
      }
    }
  }

  /** Skips the remaining members of the object or array the cursor is inside of, and its closing bracket. */
  void skipRestOfContainer(String where) {
    skipNested(1, where);
  }

  private void skipNested(int depth, String where) {
    final byte[] b = bytes;
    int p = pos;
    while (p < end) {
      byte c = b[p];
      if (c == '"') {
        pos = p;
        skipString(where);
        p = pos;
        continue;
      }
      if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        depth--;
        if (depth == 0) {
          pos = p + 1;
          return;
        }
      }
      p++;
    }
    pos = p;
    throw new RequestBodyException("unexpected end of body in " + where + " (unbalanced brackets)");
  }

  private void skipString(String where) {
    final byte[] b = bytes;
    int p = pos + 1;
    while (p < end) {
      byte c = b[p];
      if (c == '"') {
        pos = p + 1;
        return;
      }
      p += c == '\\' ? 2 : 1;
    }
    pos = p;
    throw new RequestBodyException("unterminated string in " + where);
  }

  private String unescape(int start, int stop, String where) {
    // decode UTF-8 first, then resolve escapes (escape sequences are ASCII, so this is safe)
    String raw = new String(bytes, start, stop - start, StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      if (++i >= raw.length()) {
        throw new RequestBodyException("bad escape at the end of a string in " + where);
      }
      char e = raw.charAt(i);
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          if (i + 4 >= raw.length()) {
            throw new RequestBodyException("bad \\u escape in a string in " + where);
          }
          try {
            sb.append((char) Integer.parseInt(raw.substring(i + 1, i + 5), 16));
          } catch (NumberFormatException ex) {
            throw new RequestBodyException("bad \\u escape in a string in " + where);
          }
          i += 4;
        }
        default -> throw new RequestBodyException("bad escape '\\" + e + "' in a string in " + where);
      }
    }
    return sb.toString();
  }

  private static String describe(byte b) {
    if (b >= 0x20 && b < 0x7f) {
      return "'" + (char) b + "'";
    }
    return String.format("byte 0x%02x", b & 0xff);
  }

  private void skipWhitespace() {
    while (pos < end) {
      byte b = bytes[pos];
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return;
      }
      pos++;
    }
  }
}
