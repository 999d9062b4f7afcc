package io.github.volcanovgpu.bridge.admission;

import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.quota.NamespaceUsage;
import io.github.volcanovgpu.bridge.quota.QuotaCheck;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import java.util.Map;
import java.util.Optional;

/** What admission asks of the sidecar's state: device sizes and the quota check (the engine, or a fake). */
public interface AdmissionCluster {
  /** Kind name to the memory of its largest registered device; kinds with none are absent. */
  Map<String, Long> largestDeviceMemory();

  /** The pod against its namespace's device quotas (see {@code PlacementEngine.quotaBreach}). */
  Optional<QuotaCheck.Breach> quotaBreach(PodView pod);

  /** The engine's ledgers and quotas. */
  static AdmissionCluster of(PlacementEngine engine) {
    return new AdmissionCluster() {
      @Override
      public Map<String, Long> largestDeviceMemory() {
        return NamespaceUsage.largestDeviceMemory(engine.usageByKind());
      }

      @Override
      public Optional<QuotaCheck.Breach> quotaBreach(PodView pod) {
        return engine.quotaBreach(pod);
      }
    };
  }
}
