package io.github.volcanovgpu.bridge.vendor.hami;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** A comma-separated annotation value as HAMi reads it: trimmed, empty items dropped. */
public final class CommaList {
  private CommaList() {}

  public static Set<String> of(@Nullable String value) {
    if (value == null || value.isBlank()) {
      return Set.of();
    }
    Set<String> out = new LinkedHashSet<>();
    for (String part : value.split(",")) {
      String t = part.trim();
      if (!t.isEmpty()) {
        out.add(t);
      }
    }
    return Set.copyOf(out);
  }

  /** As {@link #of}, lower-cased (for case-insensitive matches). */
  public static Set<String> lowerCase(@Nullable String value) {
    Set<String> out = new LinkedHashSet<>();
    of(value).forEach(v -> out.add(v.toLowerCase(Locale.ROOT)));
    return Set.copyOf(out);
  }
}
