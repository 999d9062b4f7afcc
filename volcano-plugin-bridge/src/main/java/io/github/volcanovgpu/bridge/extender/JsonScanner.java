package io.github.volcanovgpu.bridge.extender;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A cursor over JSON bytes for the bulk of a request: NodeInfos, whose pods are most of a body. It reads object
 * keys without allocating (matched case-insensitively against a known set, as Go's decoder does), decodes only the
 * strings that are asked for, and skips every other value without tokenizing it: a skipped value is only checked
 * for balanced brackets and terminated strings; its numbers, literals and escapes are not validated.
 *
 * <p>Errors are {@link RequestBodyException}s naming the byte offset and the field path. Not thread-safe (one per
 * request).
 */
final class JsonScanner {
  /**
   * Reads one member of an object walked by {@link #members}: {@code key} is the index of its key in the key set;
   * the cursor is on its value, which the visitor must read or skip.
   *
   * @param <T> what the walk fills in
   */
  @FunctionalInterface
  interface Member<T> {
    void read(JsonScanner s, T target, int key);
  }

  /** Reads one element (never {@code null}) of an array walked by {@link #elements}. */
  @FunctionalInterface
  interface Element<T> {
    void read(JsonScanner s, T target);
  }

  /**
   * Reads one entry (its value never {@code null}) of an object used as a map, walked by {@link #entries};
   * {@code keyAt} is where its key starts, for {@link #stringAt} when the key is wanted.
   */
  @FunctionalInterface
  interface Entry<T> {
    void read(JsonScanner s, T target, int keyAt);
  }

  private final byte[] bytes;
  private final int end;
  private final String body;
  private final StringCache strings;
  private final int origin;
  private int pos;
  private boolean stopped;
  /** Set by {@link #closingQuote}: whether the string just scanned has escapes. */
  private boolean escaped;

  /**
   * @param body what the bytes are, for messages ("predicate body")
   * @param strings where short texts that repeat from pod to pod are reused from
   */
  JsonScanner(byte[] bytes, int offset, int length, String body, StringCache strings) {
    this.bytes = bytes;
    this.strings = strings;
    this.pos = offset;
    this.origin = offset;
    this.end = offset + length;
    this.body = body;
  }

  int position() {
    return pos;
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
      throw malformed(where, "unexpected end-of-input");
    }
    return bytes[pos];
  }

  void expect(char c, String where) {
    byte b = peek(where);
    if (b != c) {
      throw malformed(where, "expected '" + c + "' but found " + describe(b));
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
    throw malformed(where, "expected ',' or '" + close + "' but found " + describe(b));
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

  /**
   * Walks the members of the object at the cursor: each member whose key is in {@code keys} (compared ignoring ASCII
   * case, as Go's decoder does) is handed to {@code member} with the key's index; the others are skipped.
   *
   * <p>The visitors stay allocation-free when they are static methods taking what they fill in as {@code target}
   * (a method reference that captures nothing is created once).
   *
   * @param path where the object is, for messages ({@code task}, {@code nodes[3]})
   * @param sub the object below {@code path}, for messages ({@code .Pod.spec})
   * @param what what the object should be, for messages ({@code a Pod object})
   * @return false when the value was {@code null} (no members)
   * @throws RequestBodyException for any other value than an object or null, or malformed JSON
   */
  <T> boolean members(String path, String sub, String what, byte[][] keys, T target, Member<T> member) {
    if (!openObject(path, sub, what)) {
      return false;
    }
    if (consume('}')) {
      return true;
    }
    do {
      int k = key(keys, path);
      if (k < 0) {
        skipValue(path);
      } else {
        member.read(this, target, k);
        if (stopped) {
          return true;
        }
      }
    } while (nextMember('}', path));
    return true;
  }

  /**
   * Walks the elements of the array at the cursor, handing each one that is not {@code null} to {@code element}.
   *
   * @return false when the value was {@code null}
   */
  <T> boolean elements(String path, String sub, String what, T target, Element<T> element) {
    if (!openArray(path, sub, what)) {
      return false;
    }
    if (consume(']')) {
      return true;
    }
    do {
      if (!consumeNull()) {
        element.read(this, target);
        if (stopped) {
          return true;
        }
      }
    } while (nextMember(']', path));
    return true;
  }

  /**
   * Walks an object used as a map ({@code Nodes} by name, {@code Tasks} by UID), handing each entry whose value is
   * not {@code null} to {@code entry}; keys are only decoded when the visitor asks ({@link #stringAt}).
   *
   * @return false when the value was {@code null}
   */
  <T> boolean entries(String path, String sub, String what, T target, Entry<T> entry) {
    if (!openObject(path, sub, what)) {
      return false;
    }
    if (consume('}')) {
      return true;
    }
    do {
      if (peek(path) != '"') {
        throw malformed(path, "expected '\"' but found " + describe(bytes[pos]));
      }
      int keyAt = pos;
      skipString(path);
      expect(':', path);
      if (!consumeNull()) {
        entry.read(this, target, keyAt);
        if (stopped) {
          return true;
        }
      }
    } while (nextMember('}', path));
    return true;
  }

  /**
   * Ends every walk of this scanner: the caller has what it needs and the rest of the body is left unread (not even
   * checked for well-formedness).
   */
  void stop() {
    stopped = true;
  }

  /**
   * Reads an {@code int} value: a JSON integer; {@code null}, a fraction or any other value is an error naming the
   * field ({@code what} says what was expected).
   */
  int intValue(String path, String sub, String what) {
    byte b = peek(path);
    boolean negative = b == '-';
    int p = negative ? pos + 1 : pos;
    int digits = p;
    long v = 0;
    while (p < end && bytes[p] >= '0' && bytes[p] <= '9' && p - digits < 11) {
      v = v * 10 + (bytes[p] - '0');
      p++;
    }
    boolean fraction = p < end && (bytes[p] == '.' || bytes[p] == 'e' || bytes[p] == 'E');
    if (p == digits || fraction) {
      throw wrongType(path + sub, what);
    }
    if ((p < end && bytes[p] >= '0' && bytes[p] <= '9') || (negative ? -v : v) != (int) (negative ? -v : v)) {
      throw new RequestBodyException(path + sub + ": expected " + what + ", got an integer out of range");
    }
    pos = p;
    return (int) (negative ? -v : v);
  }

  /**
   * Opens an object: consumes '{' and returns true, or consumes {@code null} and returns false.
   *
   * @throws RequestBodyException naming {@code path} and {@code what} for any other value
   */
  boolean openObject(String path, String sub, String what) {
    byte b = peek(path);
    if (b == '{') {
      pos++;
      return true;
    }
    if (consumeNull()) {
      return false;
    }
    throw wrongType(path + sub, what);
  }

  /** Like {@link #openObject} for arrays. */
  boolean openArray(String path, String sub, String what) {
    byte b = peek(path);
    if (b == '[') {
      pos++;
      return true;
    }
    if (consumeNull()) {
      return false;
    }
    throw wrongType(path + sub, what);
  }

  /**
   * Reads an object key and the ':' after it; returns the index of the key in {@code keys} (compared ignoring
   * ASCII case), or -1. Allocates nothing unless the key has escapes.
   */
  int key(byte[][] keys, String where) {
    expect('"', where);
    int start = pos;
    int p = closingQuote(where, "an object key");
    pos = p + 1;
    int found = -1;
    if (escaped) {
      String k = unescape(start, p, where);
      for (int i = 0; i < keys.length; i++) {
        if (k.equalsIgnoreCase(new String(keys[i], StandardCharsets.US_ASCII))) {
          found = i;
          break;
        }
      }
    } else {
      int length = p - start;
      for (int i = 0; i < keys.length; i++) {
        if (keys[i].length == length && equalsIgnoreAsciiCase(keys[i], start)) {
          found = i;
          break;
        }
      }
    }
    expect(':', where);
    return found;
  }

  private boolean equalsIgnoreAsciiCase(byte[] key, int at) {
    for (int i = 0; i < key.length; i++) {
      byte a = bytes[at + i];
      byte k = key[i];
      if (a != k) {
        // keys are letters: equal ignoring case when both are the same ASCII letter
        int la = a | 0x20;
        if (la != (k | 0x20) || la < 'a' || la > 'z') {
          return false;
        }
      }
    }
    return true;
  }

  /** Reads a string value ({@code null} reads as ""); any other value is an error naming the field. */
  String stringValue(String path, String sub) {
    byte b = peek(path);
    if (b == '"') {
      return readString(path, true);
    }
    if (consumeNull()) {
      return "";
    }
    throw wrongType(path + sub, "a string");
  }

  /**
   * Reads a map of strings as Kubernetes writes annotations and resource lists ({@code null} reads as empty;
   * numbers are kept as their text, as a quantity may be written either way).
   */
  Map<String, String> stringMap(String path, String sub) {
    if (!openObject(path, sub, "an object of strings")) {
      return Map.of();
    }
    if (consume('}')) {
      return Map.of();
    }
    String[] kv = new String[16];
    int n = 0;
    do {
      String k = readString(path, true);
      expect(':', path);
      byte b = peek(path);
      String v;
      if (b == '"') {
        v = readString(path, true);
      } else if (b == '-' || (b >= '0' && b <= '9')) {
        int start = pos;
        skipValue(path);
        v = strings.get(bytes, start, pos - start);
      } else if (consumeNull()) {
        v = "";
      } else {
        throw wrongType(path + sub + "[\"" + k + "\"]", "a string");
      }
      if (n == kv.length) {
        kv = Arrays.copyOf(kv, n * 2);
      }
      kv[n++] = k;
      kv[n++] = v;
    } while (nextMember('}', path));
    return immutableMap(kv, n);
  }

  /** @param reuse take short texts from the string cache */
  private String readString(String where, boolean reuse) {
    expect('"', where);
    int start = pos;
    int p = closingQuote(where, "a string");
    pos = p + 1;
    if (escaped) {
      return unescape(start, p, where);
    }
    return reuse ? strings.get(bytes, start, p - start) : new String(bytes, start, p - start, StandardCharsets.UTF_8);
  }

  /** Decodes the string starting at {@code at} without moving the cursor. */
  String stringAt(int at, String where) {
    int saved = pos;
    pos = at;
    try {
      return readString(where, false);
    } finally {
      pos = saved;
    }
  }

  /** Skips one value of any kind. */
  void skipValue(String where) {
    byte b = peek(where);
    if (b == '"') {
      skipString(where);
    } else if (b == '{' || b == '[') {
      pos++;
      skipNested(where);
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
        throw malformed(where, "expected a value but found " + describe(b));
      }
    }
  }

  private void skipNested(String where) {
    final byte[] b = bytes;
    int depth = 1;
    int p = pos;
    while (p < end) {
      byte c = b[p];
      if (c == '"') {
        // inline string skip: this loop is where most of a NodeInfo goes
        p++;
        while (p < end) {
          byte s = b[p];
          if (s == '"') {
            break;
          }
          p += s == '\\' ? 2 : 1;
        }
      } else if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) {
          pos = p + 1;
          return;
        }
      }
      p++;
    }
    pos = Math.min(p, end);
    throw malformed(where, "unexpected end-of-input (unbalanced brackets)");
  }

  private void skipString(String where) {
    pos++;
    pos = closingQuote(where, "a string") + 1;
  }

  /**
   * The index of the quote closing the string whose contents start at the cursor (which does not move, unless the
   * string is unterminated); sets {@link #escaped} when the string has a backslash escape.
   *
   * @param what the kind of string, for the message of an unterminated one ("an object key")
   */
  private int closingQuote(String where, String what) {
    final byte[] b = bytes;
    boolean backslash = false;
    int p = pos;
    while (p < end) {
      byte c = b[p];
      if (c == '"') {
        escaped = backslash;
        return p;
      }
      if (c == '\\') {
        backslash = true;
        p += 2;
      } else {
        p++;
      }
    }
    pos = end;
    throw malformed(where, "unexpected end-of-input in " + what);
  }

  /** What the next value is, for messages: "an object", "a string"... */
  String kind() {
    skipWhitespace();
    if (pos >= end) {
      return "the end of the body";
    }
    byte b = bytes[pos];
    return switch (b) {
      case '{' -> "an object";
      case '[' -> "an array";
      case '"' -> "a string";
      case 't', 'f' -> "a boolean";
      case 'n' -> "null";
      default -> {
        if (b == '-' || (b >= '0' && b <= '9')) {
          int p = pos + 1;
          while (p < end && ((bytes[p] >= '0' && bytes[p] <= '9') || bytes[p] == '-' || bytes[p] == '+')) {
            p++;
          }
          boolean fraction = p < end && (bytes[p] == '.' || bytes[p] == 'e' || bytes[p] == 'E');
          yield fraction ? "a number with a fraction" : "an integer";
        }
        yield describe(b);
      }
    };
  }

  /** "{path}: expected {what}, got {kind of the next value}". */
  RequestBodyException wrongType(String path, String what) {
    return new RequestBodyException(path + ": expected " + what + ", got " + kind());
  }

  RequestBodyException malformed(String where, String problem) {
    return new RequestBodyException("malformed JSON in " + body + " at byte " + (pos - origin) + " (in " + where
        + "): " + problem);
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
        throw malformed(where, "bad escape at the end of a string");
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
            throw malformed(where, "bad \\u escape in a string");
          }
          try {
            sb.append((char) Integer.parseInt(raw.substring(i + 1, i + 5), 16));
          } catch (NumberFormatException ex) {
            throw malformed(where, "bad \\u escape in a string");
          }
          i += 4;
        }
        default -> throw malformed(where, "bad escape '\\" + e + "' in a string");
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

  /** Keys as ASCII bytes, for {@link #key}. */
  static byte[][] keys(String... names) {
    byte[][] out = new byte[names.length][];
    for (int i = 0; i < names.length; i++) {
      out[i] = names[i].getBytes(StandardCharsets.US_ASCII);
    }
    return out;
  }

  /** An immutable map of the pairs, built without an intermediate HashMap; a repeated key keeps its last value. */
  static Map<String, String> immutableMap(String[] kv, int n) {
    try {
      return switch (n / 2) {
        case 0 -> Map.of();
        case 1 -> Map.of(kv[0], kv[1]);
        case 2 -> Map.of(kv[0], kv[1], kv[2], kv[3]);
        case 3 -> Map.of(kv[0], kv[1], kv[2], kv[3], kv[4], kv[5]);
        case 4 -> Map.of(kv[0], kv[1], kv[2], kv[3], kv[4], kv[5], kv[6], kv[7]);
        case 5 -> Map.of(kv[0], kv[1], kv[2], kv[3], kv[4], kv[5], kv[6], kv[7], kv[8], kv[9]);
        case 6 -> Map.of(kv[0], kv[1], kv[2], kv[3], kv[4], kv[5], kv[6], kv[7], kv[8], kv[9], kv[10], kv[11]);
        case 7 -> Map.of(kv[0], kv[1], kv[2], kv[3], kv[4], kv[5], kv[6], kv[7], kv[8], kv[9], kv[10], kv[11],
            kv[12], kv[13]);
        case 8 -> Map.of(kv[0], kv[1], kv[2], kv[3], kv[4], kv[5], kv[6], kv[7], kv[8], kv[9], kv[10], kv[11],
            kv[12], kv[13], kv[14], kv[15]);
        case 9 -> Map.of(kv[0], kv[1], kv[2], kv[3], kv[4], kv[5], kv[6], kv[7], kv[8], kv[9], kv[10], kv[11],
            kv[12], kv[13], kv[14], kv[15], kv[16], kv[17]);
        case 10 -> Map.of(kv[0], kv[1], kv[2], kv[3], kv[4], kv[5], kv[6], kv[7], kv[8], kv[9], kv[10], kv[11],
            kv[12], kv[13], kv[14], kv[15], kv[16], kv[17], kv[18], kv[19]);
        default -> viaHashMap(kv, n);
      };
    } catch (IllegalArgumentException duplicateKey) {
      return viaHashMap(kv, n);
    }
  }

  private static Map<String, String> viaHashMap(String[] kv, int n) {
    Map<String, String> m = new HashMap<>(n);
    for (int i = 0; i < n; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return Map.copyOf(m);
  }
}
