package io.github.volcanovgpu.mig.reconcile;

import java.util.Objects;

/** One line of a geometry group: {@code count} instances of {@code profile} (Volcano's {@code {name, count}}). */
public record GroupInstance(String profile, int count) {
  public GroupInstance {
    Objects.requireNonNull(profile, "profile");
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0 for " + profile);
    }
  }
}
