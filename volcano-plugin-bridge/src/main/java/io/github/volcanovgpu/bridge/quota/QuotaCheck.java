package io.github.volcanovgpu.bridge.quota;

import io.github.volcanovgpu.bridge.device.DeviceVendor;
import io.github.volcanovgpu.bridge.device.RequestShape;
import io.github.volcanovgpu.bridge.quota.KindTotals.Dimension;
import io.github.volcanovgpu.bridge.scheduling.DeviceKinds;
import io.github.volcanovgpu.contract.admission.AdmissionContract;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The quota check: for every quota of the pod's namespace and every {@code limits.<resource>} entry naming a kind's
 * count, memory or compute resource, {@code used + asked <= allowed}, where used is what the ledgers hold for the
 * namespace (the pod itself excluded; only the pods the quota's scope counts) and asked the pod's demand
 * ({@link DemandRule}); a quota whose scope does not count the pod does not hold it. An entry of 0 allows nothing.
 * Entries naming no device resource are not this check's business.
 */
public final class QuotaCheck {
  private QuotaCheck() {}

  /** Why a pod does not fit its namespace's quota. */
  public record Breach(String quota, String resource, long asked, long used, long allowed) {
    public String message() {
      return "exceeding resource quota " + quota + ": " + AdmissionContract.quotaKey(resource) + " asks " + asked
          + ", used " + used + ", allowed " + allowed;
    }
  }

  /** A quota entry's resource as a kind's dimension. */
  public record Target(String kind, Dimension dimension) {}

  /** Every kind resource a quota may limit: count, memory and compute names of each kind. */
  public static Map<String, Target> targets(DeviceKinds kinds) {
    Map<String, Target> out = new LinkedHashMap<>();
    for (DeviceVendor<?> k : kinds.all()) {
      RequestShape s = k.requestShape();
      out.put(s.count(), new Target(k.deviceName(), Dimension.COUNT));
      s.memory().ifPresent(m -> out.put(m, new Target(k.deviceName(), Dimension.MEMORY)));
      s.cores().ifPresent(c -> out.put(c, new Target(k.deviceName(), Dimension.CORES)));
    }
    return Map.copyOf(out);
  }

  /** True when some quota limits a device resource (else nothing needs computing). */
  public static boolean applies(List<Quota> quotas, Map<String, Target> targets) {
    for (Quota q : quotas) {
      for (String r : q.limits().keySet()) {
        if (targets.containsKey(r)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The first breach, in quota and entry order; empty when the pod fits every quota.
   *
   * @param asked the pod's demand per kind
   * @param used the namespace's usage per kind, without the pod
   */
  public static Optional<Breach> check(List<Quota> quotas, Map<String, Target> targets,
      Map<String, KindTotals> asked, Map<String, KindTotals> used) {
    return check(quotas, targets, asked, Optional.empty(), scope -> used);
  }

  /**
   * The first breach of a quota whose scope counts the pod, in quota and entry order; empty when the pod fits.
   *
   * @param pod what the quotas' scopes look at in the pod; empty: unknown, every quota counts it
   * @param used the namespace's usage per kind of the pods a scope counts, without the pod (asked once per scope)
   */
  public static Optional<Breach> check(List<Quota> quotas, Map<String, Target> targets,
      Map<String, KindTotals> asked, Optional<PodScope> pod, Function<QuotaScope, Map<String, KindTotals>> used) {
    for (Quota q : quotas) {
      if (!q.scope().matches(pod)) {
        continue;
      }
      Map<String, KindTotals> held = null;
      for (Map.Entry<String, Long> e : q.limits().entrySet()) {
        Target t = targets.get(e.getKey());
        if (t == null) {
          continue;
        }
        long a = asked.getOrDefault(t.kind(), KindTotals.ZERO).of(t.dimension());
        if (a == 0) {
          continue;
        }
        if (held == null) {
          held = used.apply(q.scope());
        }
        long u = held.getOrDefault(t.kind(), KindTotals.ZERO).of(t.dimension());
        if (u + a > e.getValue()) {
          return Optional.of(new Breach(q.key(), e.getKey(), a, u, e.getValue()));
        }
      }
    }
    return Optional.empty();
  }
}
