package io.github.volcanovgpu.bridge.simulate;

import io.github.volcanovgpu.bridge.device.DeviceUsage;
import io.github.volcanovgpu.bridge.device.DeviceVendor;
import io.github.volcanovgpu.bridge.device.NodeUsage;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.contract.annotation.PodDevicesCodec;
import io.github.volcanovgpu.contract.device.PodDevices;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Prints a simulation's placements, a per-device allocation table and packing figures for every device kind that
 * has devices in the cluster, and the unschedulable reasons.
 */
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

  public static Packing packing(Map<String, NodeUsage<?>> usage) {
    int total = 0;
    int used = 0;
    long memTotal = 0;
    long memUsed = 0;
    long memOnUsed = 0;
    for (NodeUsage<?> n : usage.values()) {
      for (DeviceUsage<?> g : n.devices()) {
        total++;
        memTotal += g.device().memoryUnits();
        memUsed += g.usedMemoryUnits();
        if (g.usedShares() > 0) {
          used++;
          memOnUsed += g.device().memoryUnits();
        }
      }
    }
    return new Packing(total, used, memTotal, memUsed, memOnUsed);
  }

  public static void print(PrintWriter out, List<SessionDriver.JobOutcome> jobs, InMemoryCluster cluster,
      PlacementEngine engine, boolean allGpus) {
    print(out, jobs, cluster, engine, allGpus, Map.of());
  }

  /** A pod's devices as each kind assigned them: the kinds' device lists, space-separated. */
  private static String devicesOf(PlacementEngine engine, PodView pod) {
    List<String> parts = new ArrayList<>(1);
    for (DeviceVendor<?> kind : engine.kinds().all()) {
      PodDevices d = kind.assigned(pod);
      if (!d.isEmpty()) {
        parts.add(PodDevicesCodec.encode(d));
      }
    }
    return String.join(" ", parts);
  }

  /**
   * @param limits the enforced-limit check's result per pod UID ({@link LimitCheck}); empty when not run, and the
   *     LIMIT column is then left out
   */
  public static void print(PrintWriter out, List<SessionDriver.JobOutcome> jobs, InMemoryCluster cluster,
      PlacementEngine engine, boolean allGpus, Map<String, String> limits) {
    out.println();
    out.println("== Placements");
    for (SessionDriver.JobOutcome job : jobs) {
      out.printf("job %s/%s (queue %s, minAvailable %d): %s%n", job.job().namespace(), job.job().name(),
          job.job().queue(), job.job().minAvailable(), job.scheduled() ? "scheduled" : "UNSCHEDULABLE");
      if (!job.preempted().isEmpty()) {
        out.printf("  preempted for it: %s%n", String.join(", ", job.preempted()));
      }
      for (SessionDriver.Placement p : job.placements()) {
        if (p.placed()) {
          String devices = cluster.pod(p.pod().uid()).map(x -> devicesOf(engine, x)).orElse("(evicted)");
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
    List<String> summary = new ArrayList<>();
    for (DeviceVendor<?> kind : engine.kinds().all()) {
      Map<String, NodeUsage<?>> usage = engine.usage(kind.deviceName());
      if (usage.isEmpty()) {
        continue;
      }
      String unit = kind.unit();
      String of = unit.equals("GPU") ? "" : " (" + kind.deviceName() + ")";
      out.println();
      out.println("== Per-" + unit + " allocation" + of + (allGpus ? "" : " (" + unit + "s with tasks; --all-gpus for "
          + "every " + unit + ")"));
      out.printf("  %-14s %3s  %-28s %17s %6s %7s%n", "NODE", unit, "TYPE", "MEMORY MiB", "CORES", "TASKS");
      for (NodeUsage<?> n : usage.values()) {
        for (DeviceUsage<?> g : n.devices()) {
          if (!allGpus && g.usedShares() == 0) {
            continue;
          }
          out.printf("  %-14s %3d  %-28s %8d/%-8d %5d%% %3d/%-3d%n", n.node(), g.device().index(),
              abbreviate(g.device().type(), 28), g.usedMemoryUnits(), g.device().memoryUnits(),
              g.usedCoresPercent(), g.usedShares(), g.device().splitCount());
        }
      }
      Packing p = packing(usage);
      if (unit.equals("GPU")) {
        summary.add(String.format("  %-21s %d/%d", "GPUs in use", p.gpusUsed(), p.gpusTotal()));
        summary.add(String.format("  %-21s %.3f (allocated MiB / MiB of GPUs in use)", "packing ratio",
            p.packingRatio()));
        summary.add(String.format("  %-21s %.3f (allocated MiB / all GPU MiB)", "cluster utilisation",
            p.utilisation()));
      } else {
        summary.add(String.format("  %-21s %ss in use %d/%d", kind.deviceName(), unit, p.gpusUsed(), p.gpusTotal())
            + (p.memoryTotal() == 0 ? "" : String.format(", packing ratio %.3f, utilisation %.3f",
                p.packingRatio(), p.utilisation())));
      }
    }
    long placed = jobs.stream().flatMap(j -> j.placements().stream()).filter(SessionDriver.Placement::placed)
        .count();
    long tasks = jobs.stream().mapToLong(j -> j.placements().size()).sum();
    long evicted = jobs.stream().mapToLong(j -> j.preempted().size()).sum();
    out.println();
    out.println("== Summary");
    out.printf("  tasks placed          %d/%d (%d/%d jobs)%s%n", placed - evicted, tasks,
        jobs.stream().filter(SessionDriver.JobOutcome::scheduled).count(), jobs.size(),
        evicted == 0 ? "" : ", " + evicted + " preempted");
    summary.forEach(out::println);
    if (!limits.isEmpty()) {
      long checked = limits.values().stream().filter(v -> !v.equals("-")).count();
      long ok = limits.values().stream().filter(v -> v.equals("ok")).count();
      out.printf("  enforced limits       %d/%d device pods ok (libvgpu probe: share allocates, +1 MiB is OOM)%n",
          ok, checked);
      limits.values().stream().filter(v -> v.startsWith("FAIL")).forEach(v -> out.printf("    %s%n", v));
    }
  }

  private static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "~";
  }
}
