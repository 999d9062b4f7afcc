package io.github.volcanovgpu.bridge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns JMH's JSON results into the table {@code scripts/bench.sh} prints: benchmark, score, unit, CPU per call,
 * target, and the ratio to a bare Jackson token pass over the same bytes where the target is such a ratio.
 *
 * <p>Usage: {@code BenchReport <jmh-results.json> <table.md>}; prints the table and writes it to the file. Ratios
 * compare the best iterations, by CPU time per call ({@link CpuPerOpProfiler}) where both sides have it, since wall
 * time on a shared machine mostly measures the neighbours; the HTTP ratio uses wall time (client and server share
 * the process CPU). {@link ParseRatios} measures the parse ratios interleaved, which is steadier still.
 */
public final class BenchReport {
  /** A target: what it says, and how to check a row against it. */
  private record Target(String text, Optional<String> baseline, double limit, boolean ratio) {
    static Target ratio(String baseline, double limit) {
      return new Target(String.format(Locale.ROOT, "<= %.1fx token pass", limit), Optional.of(baseline), limit,
          true);
    }

    static Target atMost(String text, double limit) {
      return new Target(text, Optional.empty(), limit, false);
    }

    static Target info(String text) {
      return new Target(text, Optional.empty(), Double.NaN, false);
    }
  }

  /**
   * @param bestScore the best iteration (fewest microseconds), for ratios: interference from other processes only
   *     ever slows an iteration down
   * @param bestCpu likewise for the CPU per call
   */
  private record Row(String name, String params, double score, double error, String unit, double cpu,
      String cpuUnit, double bestScore, double bestCpu) {
    String key() {
      return params.isEmpty() ? name : name + " " + params;
    }
  }

  private static final String PARSE = "ExtenderParseBenchmark.";
  private static final String PREDICATE_TOKENS = PARSE + "predicateTokenPass";
  private static final String PRIORITIZE_TOKENS = PARSE + "prioritize500TokenPass";
  private static final String ADMISSION_PARSE = "AdmissionBenchmark.reviewTreeParse";

  private BenchReport() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: BenchReport <jmh-results.json> <table.md>");
    }
    List<Row> rows = read(Path.of(args[0]));
    String table = table(rows);
    System.out.print(table);
    Files.writeString(Path.of(args[1]), table, StandardCharsets.UTF_8);
  }

  private static Target targetOf(Row r) {
    return switch (r.name()) {
      case PARSE + "predicateSyncedCache" -> Target.ratio(PREDICATE_TOKENS, 0.5);
      case PARSE + "predicateFallback" -> Target.ratio(PREDICATE_TOKENS, 1.3);
      case PARSE + "prioritize500SyncedCache" -> Target.ratio(PRIORITIZE_TOKENS, 0.5);
      case PARSE + "prioritize500Fallback" -> Target.ratio(PRIORITIZE_TOKENS, 1.3);
      case PREDICATE_TOKENS, PRIORITIZE_TOKENS -> Target.info("baseline (1.0x)");
      case "ExtenderHttpPrioritizeBenchmark.prioritize500OverHttp" ->
        r.params().contains("SYNCED") ? Target.ratio(PRIORITIZE_TOKENS, 0.5) : Target.ratio(PRIORITIZE_TOKENS, 1.3);
      case "ExtenderHttpPredicateBenchmark.predicateOverHttp" -> Target.info("calls/s, 16 clients");
      case "CoreFitBenchmark.predicate", "CoreFitBenchmark.prioritizeOneNode" -> Target.atMost("<= 2 us", 2.0);
      case ADMISSION_PARSE -> Target.info("baseline (1.0x JSON tree parse)");
      case "AdmissionBenchmark.mutate" -> new Target("<= 3x JSON tree parse", Optional.of(ADMISSION_PARSE), 3, true);
      case "AdmissionBenchmark.validateQuota500Nodes" ->
        new Target("figure: x JSON tree parse", Optional.of(ADMISSION_PARSE), Double.POSITIVE_INFINITY, true);
      default -> {
        String n = r.name().toLowerCase(Locale.ROOT);
        yield n.contains("grpc") && n.contains("prioritize") ? Target.atMost("<= 50 ms", 50.0) : Target.info("-");
      }
    };
  }

  static List<Row> read(Path json) throws IOException {
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    List<Row> rows = new ArrayList<>();
    for (JsonNode b : root) {
      String full = b.get("benchmark").asText();
      String[] parts = full.split("\\.");
      String name = parts[parts.length - 2] + "." + parts[parts.length - 1];
      StringBuilder params = new StringBuilder();
      JsonNode p = b.get("params");
      if (p != null) {
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext();) {
          Map.Entry<String, JsonNode> e = it.next();
          params.append(params.length() == 0 ? "" : ",").append(e.getKey()).append('=').append(e.getValue().asText());
        }
      }
      JsonNode primary = b.get("primaryMetric");
      JsonNode cpu = b.path("secondaryMetrics").get("cpu.per.op");
      String unit = primary.get("scoreUnit").asText();
      boolean throughput = unit.startsWith("ops/");
      rows.add(new Row(name, params.toString(), primary.get("score").asDouble(),
          primary.path("scoreError").asDouble(Double.NaN), unit,
          cpu == null ? Double.NaN : cpu.get("score").asDouble(), cpu == null ? "" : cpu.get("scoreUnit").asText(),
          best(primary.get("rawData"), throughput), cpu == null ? Double.NaN : best(cpu.get("rawData"), false)));
    }
    return rows;
  }

  private static double best(JsonNode rawData, boolean highest) {
    double best = Double.NaN;
    if (rawData != null) {
      for (JsonNode fork : rawData) {
        for (JsonNode v : fork) {
          double x = v.asDouble();
          best = Double.isNaN(best) ? x : highest ? Math.max(best, x) : Math.min(best, x);
        }
      }
    }
    return best;
  }

  static String table(List<Row> rows) {
    Map<String, Row> byName = new LinkedHashMap<>();
    for (Row r : rows) {
      byName.putIfAbsent(r.name(), r);
    }
    StringBuilder out = new StringBuilder();
    out.append("| benchmark | score | unit | CPU per call | target | ratio | met |\n");
    out.append("|---|---:|---|---:|---|---:|---|\n");
    for (Row r : rows) {
      Target t = targetOf(r);
      String ratio = "";
      String met = "";
      if (t.ratio() && t.baseline().isPresent() && byName.containsKey(t.baseline().get())) {
        Row base = byName.get(t.baseline().get());
        boolean http = r.name().contains("Http");
        double x = !http && !Double.isNaN(r.bestCpu()) && !Double.isNaN(base.bestCpu())
            ? r.bestCpu() / base.bestCpu()
            : inMicros(r.bestScore(), r.unit()) / inMicros(base.bestScore(), base.unit());
        ratio = String.format(Locale.ROOT, "%.3fx%s", x, http ? " (wall)" : "");
        met = x <= t.limit() ? "yes" : "NO";
      } else if (!Double.isNaN(t.limit())) {
        double us = inMicros(r.score(), r.unit());
        double limit = t.text().contains("ms") ? t.limit() * 1000 : t.limit();
        met = us <= limit ? "yes" : "NO";
      }
      out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", r.key(),
          number(r.score()) + (Double.isNaN(r.error()) ? "" : " ± " + number(r.error())), r.unit(),
          Double.isNaN(r.cpu()) ? "" : number(r.cpu()) + " " + r.cpuUnit(), t.text(), ratio, met));
    }
    return out.toString();
  }

  private static double inMicros(double score, String unit) {
    return switch (unit) {
      case "ns/op" -> score / 1000;
      case "us/op" -> score;
      case "ms/op" -> score * 1000;
      case "s/op" -> score * 1_000_000;
      case "ops/s" -> 1_000_000 / score;
      case "ops/ms" -> 1000 / score;
      case "ops/us" -> 1 / score;
      default -> Double.NaN;
    };
  }

  private static String number(double v) {
    if (Double.isNaN(v)) {
      return "";
    }
    double a = Math.abs(v);
    return a >= 100 ? String.format(Locale.ROOT, "%.0f", v)
        : a >= 1 ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%.4f", v);
  }
}
