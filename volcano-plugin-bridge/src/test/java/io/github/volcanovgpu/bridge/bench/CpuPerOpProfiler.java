package io.github.volcanovgpu.bridge.bench;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time of the benchmark process per operation ({@code ·cpu.per.op}, microseconds): what a call costs in CPU,
 * whatever else the machine runs at the time (wall time on a shared 2-core machine mostly measures the
 * neighbours). Includes the JVM's own threads (GC, JIT) and, for the HTTP benchmarks, the client and the server,
 * which share the process. Enable with {@code -prof io.github.volcanovgpu.bridge.bench.CpuPerOpProfiler}.
 */
public final class CpuPerOpProfiler implements InternalProfiler {
  private long cpuAtStart;

  @Override
  public String getDescription() {
    return "process CPU time per operation";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    cpuAtStart = processCpuNanos();
  }

  @Override
  public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams,
      IterationParams iterationParams, IterationResult result) {
    long cpu = processCpuNanos() - cpuAtStart;
    long ops = result.getMetadata().getAllOps();
    if (ops <= 0 || cpu < 0) {
      return List.of();
    }
    return List.of(new ScalarResult("cpu.per.op", cpu / 1e3 / ops, "us/op", AggregationPolicy.AVG));
  }

  private static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return -1;
  }
}
