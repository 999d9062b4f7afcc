package io.github.volcanovgpu.bridge.quota;

import io.github.volcanovgpu.bridge.model.Quantities;
import io.github.volcanovgpu.contract.admission.AdmissionContract;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The device part of one ResourceQuota: its {@code spec.hard} entries {@code limits.<resource>}, keyed by resource
 * name (prefix removed). Whether a resource is a device's is decided by the check, which knows the kinds.
 *
 * @param limits resource name to the allowed total (0 is honoured: nothing allowed), in name order
 * @param scope the pods it counts (its scopes and scope selector)
 */
public record Quota(String namespace, String name, Map<String, Long> limits, QuotaScope scope) {
  public Quota {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(scope, "scope");
    limits = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(limits)); // checked in name order
  }

  /**
   * The {@code limits.} entries of a ResourceQuota's {@code spec.hard} (quantity strings); entries that are no
   * quantity are skipped (the API server validates quotas, so that does not happen in a cluster).
   */
  public static Quota fromHard(String namespace, String name, Map<String, String> hard) {
    return fromHard(namespace, name, hard, QuotaScope.ALL);
  }

  /** {@link #fromHard(String, String, Map)} of a quota that counts only the pods of {@code scope}. */
  public static Quota fromHard(String namespace, String name, Map<String, String> hard, QuotaScope scope) {
    Map<String, Long> limits = new LinkedHashMap<>();
    hard.forEach((key, raw) -> {
      if (key.startsWith(AdmissionContract.QUOTA_LIMITS_PREFIX)) {
        try {
          limits.put(key.substring(AdmissionContract.QUOTA_LIMITS_PREFIX.length()), Quantities.value(raw));
        } catch (IllegalArgumentException e) {
          // not a quantity: not a limit
        }
      }
    });
    return new Quota(namespace, name, limits, scope);
  }

  public String key() {
    return namespace + "/" + name;
  }
}
