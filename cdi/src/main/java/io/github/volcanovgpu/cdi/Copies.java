package io.github.volcanovgpu.cdi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** Null-tolerant immutable copies for the record constructors (absent JSON arrays and maps read as null). */
final class Copies {
  private Copies() {}

  static <T> List<T> list(@Nullable List<T> values) {
    if (values == null) {
      return List.of();
    }
    for (T v : values) {
      Objects.requireNonNull(v, "list element");
    }
    return List.copyOf(values);
  }

  /** Keeps insertion order (the order annotations are written in). */
  static Map<String, String> map(@Nullable Map<String, String> values) {
    if (values == null || values.isEmpty()) {
      return Map.of();
    }
    Map<String, String> copy = new LinkedHashMap<>();
    values.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "key"), Objects.requireNonNull(v, "value of " + k)));
    return Collections.unmodifiableMap(copy);
  }
}
