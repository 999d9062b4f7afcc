package io.github.volcanovgpu.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.ApiextensionsV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REAL Volcano (vc-scheduler and vc-controller-manager, v1.16.0-alpha.1+42, built from the sources the project
 * carries by {@code scripts/volcano-local.sh}) as child processes of the test JVM, against the suite's API server.
 * Logs go to {@code target/real-volcano/}. No admission webhook: jobs name their scheduler, queue and task names.
 */
final class RealVolcano implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RealVolcano.class);
  private static final String SCRIPT = "scripts/volcano-local.sh";
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  /** Where the binaries and Volcano's CRDs are. */
  record Build(Path bin, Path crds) {}

  private final List<Process> processes;
  private final Path logs;
  private final int schedulerMetricsPort;

  private RealVolcano(List<Process> processes, Path logs, int schedulerMetricsPort) {
    this.processes = processes;
    this.logs = logs;
    this.schedulerMetricsPort = schedulerMetricsPort;
  }

  static boolean isCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** The project's root: the directory above the working directory that holds {@code scripts/volcano-local.sh}. */
  static Path projectRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(SCRIPT))) {
        return dir;
      }
    }
    throw new IllegalStateException("cannot find " + SCRIPT + " above " + Path.of("").toAbsolutePath());
  }

  /**
   * The built binaries: {@code volcano-local.sh build} in CI or with {@code VOLCANO_LOCAL_BUILD=1} (a cold build
   * takes minutes), otherwise {@code paths} (what a previous build left in the cache). When they cannot be had the
   * caller is skipped with the reason and the command to run, and in CI ({@code CI=true}) it fails instead.
   */
  static Build build() {
    boolean build = isCi() || "1".equals(System.getenv("VOLCANO_LOCAL_BUILD"));
    Path script = projectRoot().resolve(SCRIPT);
    try {
      Map<String, String> out = run(script, build ? "build" : "paths", build ? Duration.ofMinutes(40)
          : Duration.ofMinutes(1));
      String bin = out.get("VOLCANO_BIN");
      String crds = out.get("VOLCANO_CRDS");
      if (bin == null || crds == null) {
        throw new IOException(script + " printed no VOLCANO_BIN= / VOLCANO_CRDS= line: " + out);
      }
      return new Build(Path.of(bin), Path.of(crds));
    } catch (IOException e) {
      String message = "the real Volcano is not available: " + e.getMessage()
          + ". To run this suite: scripts/volcano-local.sh build (once, about 4 min on 2 cores; Go and the Go"
          + " module proxy), or run with VOLCANO_LOCAL_BUILD=1";
      if (isCi()) {
        throw new IllegalStateException("CI=true, so this is a failure, not a skip: " + message, e);
      }
      Assumptions.abort(message);
      throw new AssertionError("unreachable");
    }
  }

  /**
   * Disables the class, with the reason and the command to run, when the binaries are not built and may not be
   * built here (outside CI, without {@code VOLCANO_LOCAL_BUILD=1}); in CI it never disables ({@link #build} fails
   * instead). A condition rather than an abort in {@code @BeforeAll}, so that reports list the tests as skipped.
   */
  static final class Available implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      if (isCi() || "1".equals(System.getenv("VOLCANO_LOCAL_BUILD"))) {
        return ConditionEvaluationResult.enabled("the real Volcano is built when needed");
      }
      try {
        run(projectRoot().resolve(SCRIPT), "paths", Duration.ofMinutes(1));
        return ConditionEvaluationResult.enabled("the real Volcano is built");
      } catch (IOException e) {
        return ConditionEvaluationResult.disabled("the real Volcano is not built (" + e.getMessage()
            + "); to run this suite: scripts/volcano-local.sh build (once, about 4 min on 2 cores; Go and the Go"
            + " module proxy), or run with VOLCANO_LOCAL_BUILD=1");
      }
    }
  }

  private static Map<String, String> run(Path script, String command, Duration timeout) throws IOException {
    Path err = Files.createTempFile("volcano-local-", ".log");
    try {
      Process p = new ProcessBuilder("bash", script.toString(), command).redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException(script + " " + command + " did not finish within " + timeout);
      }
      if (p.exitValue() != 0) {
        List<String> lines = Files.readAllLines(err);
        throw new IOException(script + " " + command + " failed (exit " + p.exitValue() + "): "
            + String.join(" | ", lines.subList(Math.max(0, lines.size() - 6), lines.size())));
      }
      Map<String, String> values = new HashMap<>();
      for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
        }
      }
      return values;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + script + " " + command, e);
    } finally {
      Files.deleteIfExists(err);
    }
  }

  /**
   * Installs every CRD of Volcano's {@code config/crd/volcano/bases} (as Volcano's installer does), each unchanged
   * (sent as JSON bytes), unless it exists; waits until each is Established.
   */
  static void installCrds(ApiClient client, Path crds) throws IOException, ApiException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    ObjectMapper json = new ObjectMapper();
    ApiextensionsV1Api api = new ApiextensionsV1Api(client);
    List<String> names = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(crds)) {
      files = s.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalStateException("no CRD files in " + crds);
    }
    for (Path f : files) {
      var tree = yaml.readTree(f.toFile());
      String name = tree.path("metadata").path("name").asText();
      names.add(name);
      try {
        api.readCustomResourceDefinition(name).execute();
        continue;
      } catch (ApiException e) {
        if (e.getCode() != 404) {
          throw e;
        }
      }
      try {
        new CustomObjectsApi(client).createClusterCustomObject("apiextensions.k8s.io", "v1",
            "customresourcedefinitions", json.writeValueAsBytes(tree)).execute();
      } catch (ApiException e) {
        if (e.getCode() != 409) {
          throw new IllegalStateException("cannot install CRD " + name + " from " + f + ": " + e.getCode() + " "
              + e.getResponseBody(), e);
        }
      }
    }
    for (String name : names) {
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        var status = api.readCustomResourceDefinition(name).execute().getStatus();
        return status != null && status.getConditions() != null && status.getConditions().stream()
            .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
      });
    }
  }

  /**
   * Starts vc-controller-manager (job, PodGroup and queue controllers) and vc-scheduler with {@code schedulerConf}
   * (written into a directory of its own: vc-scheduler watches the whole directory and reloads on every write).
   */
  static RealVolcano start(Build build, Path kubeconfig, String schedulerConf, Duration schedulePeriod)
      throws IOException {
    Path logs = Path.of("target", "real-volcano").toAbsolutePath();
    Files.createDirectories(logs);
    Path confDir = Files.createTempDirectory("vc-scheduler-conf");
    Path conf = confDir.resolve("volcano-scheduler.conf");
    Files.writeString(conf, schedulerConf);
    Files.writeString(logs.resolve("volcano-scheduler.conf"), schedulerConf);
    List<Process> started = new ArrayList<>();
    int metricsPort = freePort();
    try {
      started.add(launch(logs.resolve("vc-controller-manager.log"), List.of(
          build.bin().resolve("vc-controller-manager").toString(), "--kubeconfig", kubeconfig.toString(),
          "--leader-elect=false", "--controllers", "job-controller,pg-controller,queue-controller",
          "--listen-address", "127.0.0.1:" + freePort(), "--healthz-address", "127.0.0.1:" + freePort(),
          "-v", "2")));
      started.add(launch(logs.resolve("vc-scheduler.log"), List.of(
          build.bin().resolve("vc-scheduler").toString(), "--kubeconfig", kubeconfig.toString(),
          "--scheduler-conf", conf.toString(), "--schedule-period", schedulePeriod.toSeconds() + "s",
          "--leader-elect=false", "--listen-address", "127.0.0.1:" + metricsPort,
          "--healthz-address", "127.0.0.1:" + freePort(), "--enable-healthz=true", "--enable-metrics=true",
          "--cache-dumper=false",
          "-v", "4")));
    } catch (IOException | RuntimeException e) {
      started.forEach(RealVolcano::stop);
      throw e;
    }
    return new RealVolcano(started, logs, metricsPort);
  }

  private static Process launch(Path log, List<String> command) throws IOException {
    LOG.info("starting {} (log {})", String.join(" ", command), log);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    return p;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * How many scheduling cycles vc-scheduler has finished ({@code volcano_e2e_scheduling_latency_milliseconds_count}
   * of its metrics; one per session); 0 while its metrics endpoint is not up yet.
   */
  long sessions() throws InterruptedException {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + schedulerMetricsPort
          + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      Matcher m = Pattern.compile("^volcano_e2e_scheduling_latency_milliseconds_count ([0-9.eE+]+)$",
          Pattern.MULTILINE).matcher(r.body());
      return r.statusCode() == 200 && m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** Both processes still run (neither crashed). */
  boolean alive() {
    return processes.stream().allMatch(Process::isAlive);
  }

  /** The last lines of a component's log ({@code vc-scheduler} or {@code vc-controller-manager}), for messages. */
  String tail(String component, int lines) {
    try {
      List<String> all = Files.readAllLines(logs.resolve(component + ".log"), StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void stop(Process p) {
    p.destroy();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }

  @Override
  public void close() {
    // the scheduler first: nothing binds while the controller goes
    for (int i = processes.size() - 1; i >= 0; i--) {
      stop(processes.get(i));
    }
  }
}
