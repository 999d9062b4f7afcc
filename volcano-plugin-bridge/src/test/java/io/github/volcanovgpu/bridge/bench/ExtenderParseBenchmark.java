package io.github.volcanovgpu.bridge.bench;

import io.github.volcanovgpu.bridge.extender.ExtenderEndpoint;
import io.github.volcanovgpu.bridge.extender.ExtenderReply;
import io.github.volcanovgpu.bridge.extender.ExtenderVerb;
import io.github.volcanovgpu.bridge.extender.VolcanoFixtures;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.TaskView;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * CPU per call of the extender's parse + decide + answer step (no HTTP), against one bare Jackson token pass over
 * the same bytes. Single-threaded average time, so time per call is CPU per call.
 *
 * <ul>
 *   <li>predicate, the realistic body (8 GPUs, 40 pods, about 80 KB): target <= 0.5x the token pass with a synced
 *       cache, <= 1.3x in the fallback that reads the node's Tasks;
 *   <li>prioritize over 500 realistic NodeInfos (about 40 MB): the same targets.
 * </ul>
 *
 * {@code scripts/bench.sh} prints the ratios.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ExtenderParseBenchmark {
  /** The predicate body and both endpoints. */
  @State(Scope.Benchmark)
  public static class Predicate {
    byte[] body;
    ExtenderEndpoint synced;
    ExtenderEndpoint fallback;

    @Setup
    public void setup() {
      NodeView node = VolcanoFixtures.realisticNode("gpu-node-1");
      TaskView task = ExtenderBodies.task();
      body = VolcanoFixtures.REQUESTS.predicate(task, node);
      synced = new ExtenderEndpoint(ExtenderBodies.engine(EngineCache.SYNCED, List.of(node)));
      fallback = new ExtenderEndpoint(ExtenderBodies.engine(EngineCache.NONE, List.of()));
      ExtenderBodies.checkPredicateFits(synced, body);
      ExtenderBodies.checkPredicateFits(fallback, body);
    }
  }

  /** The prioritize body over 500 nodes and both endpoints. */
  @State(Scope.Benchmark)
  public static class Prioritize500 {
    byte[] body;
    ExtenderEndpoint synced;
    ExtenderEndpoint fallback;

    @Setup
    public void setup() {
      List<NodeView> nodes = VolcanoFixtures.realisticNodes(500);
      body = VolcanoFixtures.REQUESTS.prioritize(ExtenderBodies.task(), nodes);
      synced = new ExtenderEndpoint(ExtenderBodies.engine(EngineCache.SYNCED, nodes));
      fallback = new ExtenderEndpoint(ExtenderBodies.engine(EngineCache.NONE, List.of()));
      ExtenderBodies.checkPrioritize(synced, body, 500);
      ExtenderBodies.checkPrioritize(fallback, body, 500);
    }
  }

  @Benchmark
  public int predicateTokenPass(Predicate s) {
    return ExtenderBodies.tokenPass(s.body);
  }

  @Benchmark
  public ExtenderReply predicateSyncedCache(Predicate s) {
    return s.synced.handle(ExtenderVerb.PREDICATE, s.body);
  }

  @Benchmark
  public ExtenderReply predicateFallback(Predicate s) {
    return s.fallback.handle(ExtenderVerb.PREDICATE, s.body);
  }

  @Benchmark
  public int prioritize500TokenPass(Prioritize500 s) {
    return ExtenderBodies.tokenPass(s.body);
  }

  @Benchmark
  public ExtenderReply prioritize500SyncedCache(Prioritize500 s) {
    return s.synced.handle(ExtenderVerb.PRIORITIZE, s.body);
  }

  @Benchmark
  public ExtenderReply prioritize500Fallback(Prioritize500 s) {
    return s.fallback.handle(ExtenderVerb.PRIORITIZE, s.body);
  }
}
