package io.github.volcanovgpu.bridge.simulate;

import io.github.volcanovgpu.bridge.ledger.GpuUsage;
import io.github.volcanovgpu.bridge.ledger.NodeUsage;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** Prints a simulation's placements, per-GPU allocation table, unschedulable reasons and packing figures. */
public final class SimulationReport {
  private SimulationReport() {}

  /** Packing figures over all GPUs. */
  public record Packing(int gpusTotal, int gpusUsed, long memoryTotal, long memoryUsed, long memoryOnUsedGpus) {
    /** Allocated memory / memory of the GPUs that host at least one task (how densely used cards are filled). */
    public double packingRatio() {
      return memoryOnUsedGpus == 0 ? 0 : (double) memoryUsed / memoryOnUsedGpus;
    }

    /** Allocated memory / all GPU memory. */
    public double utilisation() {
      return memoryTotal == 0 ? 0 : (double) memoryUsed / memoryTotal;
    }
  }

  public static Packing packing(Map<String, NodeUsage> usage) {
    int total = 0;
    int used = 0;
    long memTotal = 0;
    long memUsed = 0;
    long memOnUsed = 0;
    for (NodeUsage n : usage.values()) {
      for (GpuUsage g : n.gpus()) {
        total++;
        memTotal += g.gpu().memoryUnits();
        memUsed += g.usedMemoryUnits();
        if (g.usedShares() > 0) {
          used++;
          memOnUsed += g.gpu().memoryUnits();
        }
      }
    }
    return new Packing(total, used, memTotal, memUsed, memOnUsed);
  }

  public static void print(PrintWriter out, List<SessionDriver.JobOutcome> jobs, InMemoryCluster cluster,
      Map<String, NodeUsage> usage, boolean allGpus) {
    print(out, jobs, cluster, usage, allGpus, Map.of());
  }

  /**
   * @param limits the enforced-limit check's result per pod UID ({@link LimitCheck}); empty when not run, and the
   *     LIMIT column is then left out
   */
  public static void print(PrintWriter out, List<SessionDriver.JobOutcome> jobs, InMemoryCluster cluster,
      Map<String, NodeUsage> usage, boolean allGpus, Map<String, String> limits) {
    out.println();
    out.println("== Placements");
    for (SessionDriver.JobOutcome job : jobs) {
      out.printf("job %s/%s (queue %s, minAvailable %d): %s%n", job.job().namespace(), job.job().name(),
          job.job().queue(), job.job().minAvailable(), job.scheduled() ? "scheduled" : "UNSCHEDULABLE");
      for (SessionDriver.Placement p : job.placements()) {
        if (p.placed()) {
          String devices = cluster.pod(p.pod().uid())
              .map(x -> x.annotations().getOrDefault(VgpuAnnotations.VGPU_IDS_NEW, "")).orElse("");
          if (limits.isEmpty()) {
            out.printf("  %-36s -> %-14s %s%n", p.pod().name(), p.node(), devices);
          } else {
            out.printf("  %-36s -> %-14s limit %-3s %s%n", p.pod().name(), p.node(),
                limits.getOrDefault(p.pod().uid(), "-"), devices);
          }
        }
      }
    }
    boolean anyUnschedulable = jobs.stream().flatMap(j -> j.placements().stream()).anyMatch(p -> !p.placed());
    if (anyUnschedulable) {
      out.println();
      out.println("== Unschedulable");
      for (SessionDriver.JobOutcome job : jobs) {
        for (SessionDriver.Placement p : job.placements()) {
          if (!p.placed()) {
            out.printf("  %s: %s%n", p.pod().name(), p.reason());
          }
        }
      }
    }
    out.println();
    out.println("== Per-GPU allocation" + (allGpus ? "" : " (GPUs with tasks; --all-gpus for every GPU)"));
    out.printf("  %-14s %3s  %-28s %17s %6s %7s%n", "NODE", "GPU", "TYPE", "MEMORY MiB", "CORES", "TASKS");
    for (NodeUsage n : usage.values()) {
      for (GpuUsage g : n.gpus()) {
        if (!allGpus && g.usedShares() == 0) {
          continue;
        }
        out.printf("  %-14s %3d  %-28s %8d/%-8d %5d%% %3d/%-3d%n", n.node(), g.gpu().index(),
            abbreviate(g.gpu().type(), 28), g.usedMemoryUnits(), g.gpu().memoryUnits(), g.usedCoresPercent(),
            g.usedShares(), g.gpu().splitCount());
      }
    }
    Packing p = packing(usage);
    long placed = jobs.stream().flatMap(j -> j.placements().stream()).filter(SessionDriver.Placement::placed)
        .count();
    long tasks = jobs.stream().mapToLong(j -> j.placements().size()).sum();
    out.println();
    out.println("== Summary");
    out.printf("  tasks placed          %d/%d (%d/%d jobs)%n", placed, tasks,
        jobs.stream().filter(SessionDriver.JobOutcome::scheduled).count(), jobs.size());
    out.printf("  GPUs in use           %d/%d%n", p.gpusUsed(), p.gpusTotal());
    out.printf("  packing ratio         %.3f (allocated MiB / MiB of GPUs in use)%n", p.packingRatio());
    out.printf("  cluster utilisation   %.3f (allocated MiB / all GPU MiB)%n", p.utilisation());
    if (!limits.isEmpty()) {
      long checked = limits.values().stream().filter(v -> !v.equals("-")).count();
      long ok = limits.values().stream().filter(v -> v.equals("ok")).count();
      out.printf("  enforced limits       %d/%d GPU pods ok (libvgpu vgpu-probe: share allocates, +1 MiB is OOM)%n",
          ok, checked);
      limits.values().stream().filter(v -> v.startsWith("FAIL")).forEach(v -> out.printf("    %s%n", v));
    }
  }

  private static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "~";
  }
}
