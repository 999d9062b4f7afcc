package io.github.volcanovgpu.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar as README's "By hand" section runs it: {@code ./volcano-vgpu bridge ...} (the launcher: the jar the
 * build just packaged, its JVM options), with the chart's arguments ({@link ChartScheduling#sidecarCommandLine}), as
 * a child process. Its log goes to {@code target/real-volcano/sidecar-<policy>.log}.
 */
final class LaunchedSidecar implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LaunchedSidecar.class);
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private final Process process;
  private final int httpPort;
  private final int metricsPort;
  private final Path log;
  private final String policy;

  private LaunchedSidecar(Process process, int httpPort, int metricsPort, Path log, String policy) {
    this.process = process;
    this.httpPort = httpPort;
    this.metricsPort = metricsPort;
    this.log = log;
    this.policy = policy;
  }

  /** Starts the sidecar on {@code httpPort} (the port the scheduler conf names) and waits until it is ready. */
  static LaunchedSidecar start(ChartScheduling chart, int httpPort, Path kubeconfig, String policy)
      throws IOException, InterruptedException {
    Path logs = Path.of("target", "real-volcano").toAbsolutePath();
    Files.createDirectories(logs);
    Path deviceConfig = Files.writeString(logs.resolve("device-config.yaml"), chart.deviceConfigYaml());
    int metricsPort = RealVolcano.freePort();
    List<String> command = new ArrayList<>();
    command.add("bash");
    command.add(RealVolcano.projectRoot().resolve("volcano-vgpu").toString());
    command.addAll(chart.sidecarCommandLine(httpPort, RealVolcano.freePort(), metricsPort, deviceConfig.toString(),
        kubeconfig.toString()));
    Path log = logs.resolve("sidecar-" + policy + ".log");
    LOG.info("starting the sidecar: {} (log {})", String.join(" ", command), log);
    Process p = new ProcessBuilder(command).directory(RealVolcano.projectRoot().toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    LaunchedSidecar sidecar = new LaunchedSidecar(p, httpPort, metricsPort, log, policy);
    Instant deadline = Instant.now().plus(Duration.ofMinutes(3)); // a cold JVM on a loaded 2-core machine
    while (!sidecar.ready()) {
      if (!p.isAlive()) {
        throw new IllegalStateException("the sidecar exited with " + p.exitValue() + ": " + sidecar.tail(20));
      }
      if (Instant.now().isAfter(deadline)) {
        sidecar.close();
        throw new IllegalStateException("the sidecar was not ready in 3 min: " + sidecar.tail(20));
      }
      Thread.sleep(200);
    }
    return sidecar;
  }

  String policy() {
    return policy;
  }

  boolean alive() {
    return process.isAlive();
  }

  private boolean ready() {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/readyz"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The Prometheus text of {@code /metrics}. */
  String metrics() throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort
        + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET /metrics: " + r.statusCode());
    }
    return r.body();
  }

  /** How many extender requests of {@code verb} (predicate, prioritize, allocate...) the sidecar has answered. */
  long requests(String verb) throws IOException, InterruptedException {
    Pattern p = Pattern.compile("^volcano_vgpu_bridge_request_seconds_count\\{([^}]*)\\} ([0-9.eE+]+)$",
        Pattern.MULTILINE);
    Matcher m = p.matcher(metrics());
    long total = 0;
    while (m.find()) {
      if (m.group(1).contains("verb=\"" + verb + "\"") && m.group(1).contains("transport=\"http\"")) {
        total += (long) Double.parseDouble(m.group(2));
      }
    }
    return total;
  }

  /** Sum of {@code volcano_vgpu_device_allocated_memory} over the cards of {@code node} (MiB in the ledger). */
  long allocatedMemory(String node) throws IOException, InterruptedException {
    Pattern p = Pattern.compile("^volcano_vgpu_device_allocated_memory\\{([^}]*)\\} ([0-9.eE+]+)$",
        Pattern.MULTILINE);
    Matcher m = p.matcher(metrics());
    long total = 0;
    while (m.find()) {
      if (m.group(1).contains("NodeName=\"" + node + "\"")) {
        total += (long) Double.parseDouble(m.group(2));
      }
    }
    return total;
  }

  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
