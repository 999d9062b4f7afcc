package io.github.volcanovgpu.bridge.bench;

import io.github.volcanovgpu.bridge.extender.ExtenderEndpoint;
import io.github.volcanovgpu.bridge.extender.ExtenderVerb;
import io.github.volcanovgpu.bridge.extender.VolcanoFixtures;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.TaskView;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * The parse + decide ratios measured interleaved: rounds of (token pass, synced, fallback) over the same bytes, each
 * a batch timed by the process CPU clock (GC and JIT included), and the median per-call CPU of each over the rounds.
 * On a shared machine the speed of the CPU drifts between JMH runs minutes apart; within a round it does not, so
 * these ratios are stable where ratios of separate JMH results are not.
 *
 * <p>Usage: {@code ParseRatios <table.md>}: prints the table and appends it to the file.
 */
public final class ParseRatios {
  private ParseRatios() {}

  private record Case(String name, byte[] body, ExtenderVerb verb, ExtenderEndpoint synced,
      ExtenderEndpoint fallback) {}

  /** Rounds measured after the warm-up rounds. */
  private static final int ROUNDS = 9;
  /** Each batch runs about this long: the process CPU clock ticks in 10 ms steps on Linux. */
  private static final long BATCH_NANOS = 300_000_000L;

  public static void main(String[] args) throws IOException {
    long[] sink = new long[1];
    StringBuilder table = new StringBuilder();
    table.append("\nParse + decide vs one bare Jackson token pass, interleaved (median of rounds, process CPU):\n\n");
    table.append("| body | size | token pass | synced cache | ratio (<= 0.5x) | fallback | ratio (<= 1.3x) |\n");
    table.append("|---|---:|---:|---:|---:|---:|---:|\n");
    // one case at a time, so the 500-node case's data is not alive while the small one is measured
    TaskView task = ExtenderBodies.task();
    NodeView node = VolcanoFixtures.realisticNode("gpu-node-1");
    measure(new Case("predicate, 8 GPUs / 40 pods", VolcanoFixtures.REQUESTS.predicate(task, node),
        ExtenderVerb.PREDICATE, endpoint(EngineCache.SYNCED, List.of(node)), endpoint(EngineCache.NONE, List.of())),
        table, sink);
    List<NodeView> nodes = VolcanoFixtures.realisticNodes(500);
    measure(new Case("prioritize, 500 NodeInfos", VolcanoFixtures.REQUESTS.prioritize(task, nodes),
        ExtenderVerb.PRIORITIZE, endpoint(EngineCache.SYNCED, nodes), endpoint(EngineCache.NONE, List.of())),
        table, sink);
    System.out.print(table);
    System.err.println("(checksum " + sink[0] + ")");
    if (args.length > 0) {
      Files.writeString(Path.of(args[0]), table.toString(), StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }
  }

  private static void measure(Case c, StringBuilder table, long[] sink) {
    IntSupplier token = () -> ExtenderBodies.tokenPass(c.body());
    IntSupplier synced = () -> c.synced().handle(c.verb(), c.body()).httpStatus();
    IntSupplier fallback = () -> c.fallback().handle(c.verb(), c.body()).httpStatus();
    // warm-up, which also sizes the batches
    int[] batch = new int[3];
    IntSupplier[] calls = {token, synced, fallback};
    for (int i = 0; i < 3; i++) {
      long start = System.nanoTime();
      int n = 0;
      while (System.nanoTime() - start < 3 * BATCH_NANOS) {
        sink[0] += calls[i].getAsInt();
        n++;
      }
      batch[i] = Math.max(1, (int) (n * (double) BATCH_NANOS / (System.nanoTime() - start)));
    }
    double[][] cpu = new double[3][ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      for (int i = 0; i < 3; i++) {
        cpu[i][r] = perCall(batch[i], calls[i], sink);
      }
    }
    double t = median(cpu[0]);
    double s = median(cpu[1]);
    double f = median(cpu[2]);
    table.append(String.format(Locale.ROOT, "| %s | %.1f MB | %s | %s | %.3fx %s | %s | %.3fx %s |%n", c.name(),
        c.body().length / 1e6, micros(t), micros(s), s / t, s / t <= 0.5 ? "yes" : "NO", micros(f), f / t,
        f / t <= 1.3 ? "yes" : "NO"));
  }

  private static ExtenderEndpoint endpoint(EngineCache cache, List<NodeView> nodes) {
    return new ExtenderEndpoint(ExtenderBodies.engine(cache, nodes));
  }

  /** Process CPU microseconds per call over a batch; the results are summed into {@code sink}. */
  private static double perCall(int batch, IntSupplier call, long[] sink) {
    long start = processCpuNanos();
    for (int i = 0; i < batch; i++) {
      sink[0] += call.getAsInt();
    }
    return (processCpuNanos() - start) / 1e3 / batch;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v[v.length / 2];
  }

  private static String micros(double us) {
    return us >= 10_000 ? String.format(Locale.ROOT, "%.1f ms", us / 1000)
        : String.format(Locale.ROOT, "%.1f us", us);
  }
}
