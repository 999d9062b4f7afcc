package io.github.volcanovgpu.bridge.extender;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reuses the {@link String}s of short ASCII texts that repeat from pod to pod (annotation keys and common values,
 * resource names and quantities, phases, namespaces, node names). A prioritize body in the fallback carries
 * hundreds of nodes with tens of pods each; without reuse every pod's copies of the same keys are decoded again and
 * kept alive until the answer is written, and the garbage collector copies them around.
 *
 * <p>A fixed table of slots indexed by a hash of the bytes; a slot holds the last text seen there. Thread-safe
 * without locks: a slot holds an immutable entry (its bytes are never written after publication), and a racing
 * write only costs a later miss.
 */
final class StringCache {
  /** Longer texts are decoded every time (UIDs, device lists: unique per pod). */
  static final int MAX_LENGTH = 32;

  /** A cached text with its bytes, published together (a slot is replaced as a whole). */
  private record Entry(byte[] bytes, String text) {}

  private final Entry[] slots = new Entry[1 << 12];
  private final int maxLength;

  StringCache() {
    this(MAX_LENGTH);
  }

  /** @param maxLength texts longer than this are decoded every time; 0 turns the cache off */
  StringCache(int maxLength) {
    this.maxLength = maxLength;
  }

  /** The UTF-8 text of {@code bytes[start, start + length)}, from the table when it is there. */
  String get(byte[] bytes, int start, int length) {
    if (length > maxLength || length == 0) {
      return new String(bytes, start, length, StandardCharsets.UTF_8);
    }
    int end = start + length;
    // a cheap hash of the length and a few bytes: a collision only costs a miss, the compare below is exact
    int h = length * 31 + bytes[start];
    h = h * 31 + bytes[start + (length >> 1)];
    h = h * 31 + bytes[end - 1];
    h = h * 31 + bytes[end - (length >= 3 ? 3 : 1)];
    int index = (h ^ (h >>> 11)) & (slots.length - 1);
    Entry cached = slots[index];
    if (cached != null && Arrays.equals(cached.bytes(), 0, cached.bytes().length, bytes, start, end)) {
      return cached.text();
    }
    for (int i = start; i < end; i++) {
      if (bytes[i] < 0) {
        return new String(bytes, start, length, StandardCharsets.UTF_8);
      }
    }
    String text = new String(bytes, start, length, StandardCharsets.ISO_8859_1);
    slots[index] = new Entry(Arrays.copyOfRange(bytes, start, end), text);
    return text;
  }
}
