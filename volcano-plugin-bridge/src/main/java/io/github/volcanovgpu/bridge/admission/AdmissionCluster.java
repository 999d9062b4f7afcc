package io.github.volcanovgpu.bridge.admission;

import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.quota.QuotaCheck;
import java.util.Map;
import java.util.Optional;

/** What admission asks of the sidecar's state: device sizes and the quota check (the engine, or a fake). */
public interface AdmissionCluster {
  /** Kind name to the memory of its largest registered device; kinds with none are absent. */
  Map<String, Long> largestDeviceMemory();

  /** The pod against its namespace's device quotas (see {@code PlacementEngine.quotaBreach}). */
  Optional<QuotaCheck.Breach> quotaBreach(PodView pod);
}
