package io.github.volcanovgpu.bridge.testing;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.scheduling.AssignmentWriter;
import io.github.volcanovgpu.bridge.scheduling.ClusterState;
import io.github.volcanovgpu.bridge.scheduling.EngineConfig;
import io.github.volcanovgpu.bridge.scheduling.NodeLock;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.simulate.InMemoryCluster;
import io.github.volcanovgpu.bridge.vendor.nvidia.NvidiaVendor;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** Ready-made engines for tests. */
public final class Engines {
  public static final Clock FIXED = Clock.fixed(Instant.parse("2026-11-28T12:00:00Z"), ZoneOffset.UTC);

  private Engines() {}

  /** An engine over a synced in-memory cluster that also receives the annotation writes. */
  public static PlacementEngine over(InMemoryCluster cluster, SchedulingPolicy policy) {
    return new PlacementEngine(NvidiaVendor.volcanoDefaults(), cluster, cluster, NodeLock.DISABLED,
        EngineConfig.defaults().withPolicy(policy), FIXED);
  }

  /** An engine without a cache: nodes come from the requests (Volcano's NodeInfo with its Tasks). */
  public static PlacementEngine fallback(AssignmentWriter writer, SchedulingPolicy policy) {
    return new PlacementEngine(NvidiaVendor.volcanoDefaults(), ClusterState.NONE, writer, NodeLock.DISABLED,
        EngineConfig.defaults().withPolicy(policy), FIXED);
  }
}
