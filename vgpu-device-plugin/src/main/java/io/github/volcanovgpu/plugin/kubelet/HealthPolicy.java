package io.github.volcanovgpu.plugin.kubelet;

import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which XIDs make a card unhealthy (reference volcano-vgpu.md §3.8, same knobs as the NVIDIA plugin).
 * {@code DP_DISABLE_HEALTHCHECKS}: {@code all} (no health checks at all), {@code xids} (ignore every XID) or a
 * comma list of extra XIDs to ignore; {@code DP_ENABLE_HEALTHCHECKS}: {@code all}/{@code xids} (ignore none, not
 * even the application XIDs) or a list of XIDs that count even if ignored otherwise. Pure.
 */
public final class HealthPolicy {
  public static final String DISABLE_ENV = "DP_DISABLE_HEALTHCHECKS";
  public static final String ENABLE_ENV = "DP_ENABLE_HEALTHCHECKS";

  /** Application errors, not card faults: 13, 31, 43, 45, 68, 109. */
  public static final Set<Long> DEFAULT_IGNORED = Set.of(13L, 31L, 43L, 45L, 68L, 109L);

  private final boolean disabled;
  private final boolean allXidsIgnored;
  private final boolean noneIgnored;
  private final Set<Long> ignored;
  private final Set<Long> enabled;

  private HealthPolicy(boolean disabled, boolean allXidsIgnored, boolean noneIgnored, Set<Long> ignored,
      Set<Long> enabled) {
    this.disabled = disabled;
    this.allXidsIgnored = allXidsIgnored;
    this.noneIgnored = noneIgnored;
    this.ignored = Set.copyOf(ignored);
    this.enabled = Set.copyOf(enabled);
  }

  public static HealthPolicy defaults() {
    return new HealthPolicy(false, false, false, DEFAULT_IGNORED, Set.of());
  }

  /** Reads {@link #DISABLE_ENV} and {@link #ENABLE_ENV} from {@code env}; unknown tokens are rejected by name. */
  public static HealthPolicy fromEnvironment(Map<String, String> env) {
    boolean disabled = false;
    boolean allXids = false;
    boolean noneIgnored = false;
    Set<Long> ignored = new HashSet<>(DEFAULT_IGNORED);
    Set<Long> enabled = new HashSet<>();
    for (String token : tokens(env.get(DISABLE_ENV))) {
      switch (token) {
        case "all" -> disabled = true;
        case "xids" -> allXids = true;
        default -> ignored.add(xid(DISABLE_ENV, token));
      }
    }
    for (String token : tokens(env.get(ENABLE_ENV))) {
      switch (token) {
        case "all", "xids" -> noneIgnored = true;
        default -> enabled.add(xid(ENABLE_ENV, token));
      }
    }
    return new HealthPolicy(disabled, allXids, noneIgnored, ignored, enabled);
  }

  /** Whether health checking is on at all ({@code DP_DISABLE_HEALTHCHECKS=all} turns it off). */
  public boolean enabled() {
    return !disabled;
  }

  /** Whether XID {@code xid} marks the card unhealthy. */
  public boolean isCritical(long xid) {
    if (disabled) {
      return false;
    }
    if (noneIgnored || enabled.contains(xid)) {
      return true;
    }
    return !allXidsIgnored && !ignored.contains(xid);
  }

  private static String[] tokens(@Nullable String value) {
    if (value == null || value.isBlank()) {
      return new String[0];
    }
    return java.util.Arrays.stream(value.split(","))
        .map(s -> s.trim().toLowerCase(Locale.ROOT))
        .filter(s -> !s.isEmpty())
        .toArray(String[]::new);
  }

  private static long xid(String variable, String token) {
    try {
      long xid = Long.parseLong(token);
      if (xid <= 0) {
        throw new NumberFormatException();
      }
      return xid;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(variable + ": \"" + token
          + "\" is not an XID number (expected all, xids or a comma list of positive numbers)");
    }
  }

  @Override
  public String toString() {
    return "HealthPolicy[disabled=" + disabled + ", allXidsIgnored=" + allXidsIgnored + ", noneIgnored="
        + noneIgnored + ", ignored=" + ignored + ", enabled=" + enabled + "]";
  }
}
