package io.github.volcanovgpu.bridge.extender;

import java.nio.charset.StandardCharsets;

/**
 * Reuses the {@link String}s of short ASCII texts that repeat from pod to pod (annotation keys and common values,
 * resource names and quantities, phases, namespaces, node names). A prioritize body in the fallback carries
 * hundreds of nodes with tens of pods each; without reuse every pod's copies of the same keys are decoded again and
 * kept alive until the answer is written, and the garbage collector copies them around.
 *
 * <p>A fixed table of slots indexed by a hash of the bytes; a slot holds the last string seen there. Thread-safe
 * without locks: slots hold immutable strings, and a racing write only costs a later miss.
 */
final class StringCache {
  /** Longer texts are decoded every time (UIDs, device lists: unique per pod). */
  static final int MAX_LENGTH = 32;

  private final String[] slots = new String[1 << 12];

  /** The UTF-8 text of {@code bytes[start, start + length)}, from the table when it is there. */
  String get(byte[] bytes, int start, int length) {
    if (length > MAX_LENGTH) {
      return new String(bytes, start, length, StandardCharsets.UTF_8);
    }
    int h = 0;
    int nonAscii = 0;
    for (int i = start, end = start + length; i < end; i++) {
      byte b = bytes[i];
      nonAscii |= b;
      h = 31 * h + b;
    }
    if (nonAscii < 0) {
      return new String(bytes, start, length, StandardCharsets.UTF_8);
    }
    int index = (h ^ (h >>> 12)) & (slots.length - 1);
    String cached = slots[index];
    if (cached != null && cached.length() == length && sameAscii(cached, bytes, start)) {
      return cached;
    }
    String s = new String(bytes, start, length, StandardCharsets.ISO_8859_1);
    slots[index] = s;
    return s;
  }

  private static boolean sameAscii(String s, byte[] bytes, int start) {
    for (int i = 0, n = s.length(); i < n; i++) {
      if (s.charAt(i) != bytes[start + i]) {
        return false;
      }
    }
    return true;
  }
}
