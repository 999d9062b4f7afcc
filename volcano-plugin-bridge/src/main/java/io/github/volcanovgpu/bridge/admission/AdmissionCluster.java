package io.github.volcanovgpu.bridge.admission;

import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.quota.KindTotals;
import io.github.volcanovgpu.bridge.quota.NamespaceUsage;
import io.github.volcanovgpu.bridge.quota.PodScope;
import io.github.volcanovgpu.bridge.quota.QuotaCheck;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import java.util.Map;
import java.util.Optional;

/** What admission asks of the sidecar's state: device sizes and the quota check (the engine, or a fake). */
public interface AdmissionCluster {
  /** Kind name to the memory of its largest registered device; kinds with none are absent. */
  Map<String, Long> largestDeviceMemory();

  /**
   * The pod against its namespace's device quotas (see {@code PlacementEngine.quotaBreach}).
   *
   * @param scope what the quotas' scopes look at in the pod
   */
  Optional<QuotaCheck.Breach> quotaBreach(PodView pod, Optional<PodScope> scope);

  /**
   * A demand of pods yet to be created (a vcjob's gang) against the namespace's device quotas.
   *
   * @param asked kind name to totals
   * @param withUsage count what the namespace holds now; false: the demand alone against the limits
   * @param scope what the quotas' scopes look at in those pods; empty when unknown (every quota holds them)
   */
  Optional<QuotaCheck.Breach> quotaBreach(String namespace, Map<String, KindTotals> asked, boolean withUsage,
      Optional<PodScope> scope);

  /**
   * The engine's ledgers and quotas. Device sizes change only when nodes register, and reading them walks every
   * node, so they are re-read at most every 10 seconds.
   */
  static AdmissionCluster of(PlacementEngine engine) {
    return new AdmissionCluster() {
      private final Object lock = new Object();
      private Map<String, Long> largest = Map.of();
      private long readAt;
      private boolean read;

      @Override
      public Map<String, Long> largestDeviceMemory() {
        synchronized (lock) {
          long now = System.nanoTime();
          if (!read || now - readAt > 10_000_000_000L) {
            largest = Map.copyOf(NamespaceUsage.largestDeviceMemory(engine.usageByKind()));
            readAt = now;
            read = true;
          }
          return largest;
        }
      }

      @Override
      public Optional<QuotaCheck.Breach> quotaBreach(PodView pod, Optional<PodScope> scope) {
        return engine.quotaBreach(pod, scope);
      }

      @Override
      public Optional<QuotaCheck.Breach> quotaBreach(String namespace, Map<String, KindTotals> asked,
          boolean withUsage, Optional<PodScope> scope) {
        return engine.quotaBreach(namespace, asked, withUsage, scope);
      }
    };
  }
}
