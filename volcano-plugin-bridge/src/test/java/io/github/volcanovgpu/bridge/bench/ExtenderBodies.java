package io.github.volcanovgpu.bridge.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.extender.ExtenderEndpoint;
import io.github.volcanovgpu.bridge.extender.ExtenderVerb;
import io.github.volcanovgpu.bridge.extender.PredicateResponse;
import io.github.volcanovgpu.bridge.extender.PrioritizeResponse;
import io.github.volcanovgpu.bridge.extender.VolcanoFixtures;
import io.github.volcanovgpu.bridge.extender.VolcanoResponses;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.AssignmentWriter;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.testing.Engines;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** The realistic extender bodies and engines the extender benchmarks share. */
final class ExtenderBodies {
  static final JsonFactory JSON = new JsonFactory();

  private ExtenderBodies() {}

  /** The pending task of every benchmark: one GPU, 3000 MiB, 20% (fits on the realistic nodes). */
  static TaskView task() {
    return VolcanoFixtures.pendingTask("bench-job", 1, 3000, 20);
  }

  static PlacementEngine engine(EngineCache cache, List<NodeView> nodes) {
    return cache == EngineCache.SYNCED
        ? Engines.over(VolcanoFixtures.clusterOf(nodes), SchedulingPolicy.BINPACK)
        : Engines.fallback(AssignmentWriter.UNAVAILABLE, SchedulingPolicy.BINPACK);
  }

  /** One bare Jackson token pass: {@code nextToken()} to the end, nothing read. */
  static int tokenPass(byte[] body) {
    int tokens = 0;
    try (JsonParser p = JSON.createParser(body)) {
      while (p.nextToken() != null) {
        tokens++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return tokens;
  }

  /** Fails the benchmark setup unless the endpoint accepts the task on the node. */
  static void checkPredicateFits(ExtenderEndpoint endpoint, byte[] body) {
    PredicateResponse r = VolcanoResponses.predicate(endpoint.handle(ExtenderVerb.PREDICATE, body).body());
    if (!r.passes()) {
      throw new IllegalStateException("benchmark task must fit, got " + r);
    }
  }

  static void checkPrioritize(ExtenderEndpoint endpoint, byte[] body, int nodes) {
    PrioritizeResponse r = VolcanoResponses.prioritize(endpoint.handle(ExtenderVerb.PRIORITIZE, body).body());
    if (!r.usable() || r.nodeScore().size() != nodes) {
      throw new IllegalStateException("prioritize must score every node, got " + r.errorMessage());
    }
  }
}
