package io.github.volcanovgpu.bridge.kube;

import io.github.volcanovgpu.process.kube.KubeClients;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provides a real kube-apiserver to {@link RealApiServer} test classes.
 *
 * <p>Once per JVM (JUnit's root store) it runs {@code scripts/k8s-local.sh up-apiserver}, which reuses a server
 * already running for the configured port ({@code K8S_LOCAL_PORT}, default 17443) or starts etcd + kube-apiserver.
 * The server is stopped ({@code down}) when the test run ends, but only if this JVM started it and
 * {@code K8S_LOCAL_KEEP} is not {@code 1}. With {@code VGPU_TEST_KUBECONFIG} set, that kubeconfig is used instead and
 * nothing is started.
 *
 * <p>When no server is available the tests are skipped (disabled) with the reason and the command to run; when
 * {@code CI=true} they fail instead, so CI never skips them silently. Outside CI the script is told not to compile
 * Kubernetes (about 10 minutes) unless {@code K8S_LOCAL_BUILD=1}; in CI it builds when needed.
 *
 * <p>Per test class: a fresh namespace ({@link TestNamespace}); afterwards its pods and ConfigMaps are deleted
 * immediately (grace period 0, there is no kubelet), nodes labelled {@link TestNamespace#OWNER_LABEL} are deleted,
 * and the namespace is deleted (it stays Terminating: no controller manager runs).
 */
public final class KubeApiServerExtension
    implements ExecutionCondition, BeforeAllCallback, AfterAllCallback, ParameterResolver {
  private static final Logger LOG = LoggerFactory.getLogger(KubeApiServerExtension.class);
  private static final ExtensionContext.Namespace STORE =
      ExtensionContext.Namespace.create(KubeApiServerExtension.class);
  private static final String SCRIPT = "scripts/k8s-local.sh";

  /**
   * Without a server (outside CI) the class is disabled with the reason (reports list each test as skipped with it).
   * It must happen here: JUnit constructs a test instance, resolving constructor parameters, before it evaluates a
   * method's conditions or runs beforeEach, and wraps an abort during construction into an error.
   */
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (isCi()) {
      return ConditionEvaluationResult.enabled("CI=true: a missing API server is a failure");
    }
    ServerOrFailure server = attempt(context);
    return server.server() != null
        ? ConditionEvaluationResult.enabled("kube-apiserver available")
        : ConditionEvaluationResult.disabled(String.valueOf(server.failure()));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (isCi() || available(context)) {
      namespace(context);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    TestNamespace namespace = context.getStore(STORE).get(TestNamespace.class, TestNamespace.class);
    ServerOrFailure server = context.getRoot().getStore(STORE).get(ServerOrFailure.class, ServerOrFailure.class);
    if (namespace == null || server == null || server.server() == null) {
      return;
    }
    CoreV1Api api = new CoreV1Api(server.server().clients().requests());
    String name = namespace.name();
    cleanup("pods", () -> api.deleteCollectionNamespacedPod(name).gracePeriodSeconds(0).execute());
    cleanup("configmaps", () -> api.deleteCollectionNamespacedConfigMap(name).execute());
    cleanup("nodes", () -> api.deleteCollectionNode()
        .labelSelector(TestNamespace.OWNER_LABEL + "=" + name).gracePeriodSeconds(0).execute());
    cleanup("namespace", () -> api.deleteNamespace(name).execute());
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == ApiClient.class || type == KubeClients.class || type == CoreV1Api.class
        || type == TestNamespace.class || type == java.nio.file.Path.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    KubeClients clients = server(context).clients();
    Class<?> type = parameter.getParameter().getType();
    if (type == ApiClient.class) {
      return clients.requests();
    }
    if (type == KubeClients.class) {
      return clients;
    }
    if (type == CoreV1Api.class) {
      return new CoreV1Api(clients.requests());
    }
    if (type == java.nio.file.Path.class) {
      return server(context).kubeconfig(); // the kubeconfig file, for code that builds its own clients
    }
    return namespace(context);
  }

  private static ServerOrFailure attempt(ExtensionContext context) {
    return context.getRoot().getStore(STORE)
        .getOrComputeIfAbsent(ServerOrFailure.class, key -> ServerOrFailure.attempt(), ServerOrFailure.class);
  }

  private static boolean available(ExtensionContext context) {
    return attempt(context).server() != null;
  }

  /** The JVM's server; skips (or, in CI, fails) the caller when there is none. */
  private static LocalApiServer server(ExtensionContext context) {
    ServerOrFailure server = attempt(context);
    if (server.server() == null) {
      String message = String.valueOf(server.failure());
      if (isCi()) {
        throw new ExtensionConfigurationException("CI=true, so this is a failure, not a skip: " + message);
      }
      Assumptions.abort(message);
    }
    return server.server();
  }

  /**
   * The test class's namespace, created on first use (in beforeAll, or earlier when a per-class test instance asks
   * for constructor parameters).
   */
  private static TestNamespace namespace(ExtensionContext context) {
    LocalApiServer server = server(context);
    ExtensionContext classContext = context;
    while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
      classContext = classContext.getParent().get();
    }
    Class<?> testClass = classContext.getRequiredTestClass();
    return classContext.getStore(STORE).getOrComputeIfAbsent(TestNamespace.class, key -> {
      TestNamespace namespace = new TestNamespace(namespaceName(testClass));
      try {
        new CoreV1Api(server.clients().requests())
            .createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(namespace.name())))
            .execute();
      } catch (ApiException e) {
        throw new ExtensionConfigurationException(
            "cannot create test namespace " + namespace.name() + ": " + ApiFailure.of(e).describe(), e);
      }
      return namespace;
    }, TestNamespace.class);
  }

  private interface ApiCall {
    void run() throws ApiException;
  }

  private static void cleanup(String what, ApiCall call) {
    try {
      call.run();
    } catch (ApiException e) {
      LOG.warn("cleanup of {} failed: {}", what, ApiFailure.of(e).describe());
    }
  }

  /** {@code <class>-<random>}, lower case, at most 63 characters (DNS label). */
  static String namespaceName(Class<?> testClass) {
    String base = testClass.getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    if (base.length() > 40) {
      base = base.substring(0, 40);
    }
    return "t-" + base + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36), 36);
  }

  static boolean isCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** The JVM-wide outcome of starting the server: either a server or why there is none. */
  private record ServerOrFailure(@Nullable LocalApiServer server, @Nullable String failure) implements AutoCloseable {
    static ServerOrFailure attempt() {
      try {
        return new ServerOrFailure(LocalApiServer.start(), null);
      } catch (Unavailable e) {
        LOG.warn("{}", e.getMessage());
        return new ServerOrFailure(null, e.getMessage());
      }
    }

    @Override
    public void close() {
      if (server != null) {
        server.close();
      }
    }
  }

  /** The API server this JVM uses; stops it on close when this JVM started it. */
  private record LocalApiServer(KubeClients clients, Path kubeconfig, @Nullable Path script, boolean startedHere)
      implements AutoCloseable {
    static LocalApiServer start() throws Unavailable {
      String external = System.getenv("VGPU_TEST_KUBECONFIG");
      if (external != null && !external.isBlank()) {
        Path kubeconfig = Path.of(external);
        return connect(kubeconfig, null, false, "VGPU_TEST_KUBECONFIG=" + external);
      }
      Path script = findScript();
      boolean build = isCi() || "1".equals(System.getenv("K8S_LOCAL_BUILD"));
      Map<String, String> output = run(script, "up-apiserver", build ? Duration.ofMinutes(40) : Duration.ofMinutes(3),
          build ? Map.of() : Map.of("K8S_LOCAL_NO_BUILD", "1"));
      String kubeconfig = output.get("KUBECONFIG");
      if (kubeconfig == null) {
        throw new Unavailable(SCRIPT + " up-apiserver printed no KUBECONFIG= line");
      }
      return connect(Path.of(kubeconfig), script, "yes".equals(output.get("STARTED")), SCRIPT + " up-apiserver");
    }

    private static LocalApiServer connect(Path kubeconfig, @Nullable Path script, boolean startedHere, String origin)
        throws Unavailable {
      KubeClients clients;
      try {
        clients = KubeClients.fromKubeconfig(kubeconfig);
        new CoreV1Api(clients.requests()).listNamespace().limit(1).execute();
      } catch (ApiException e) {
        throw new Unavailable("API server from " + origin + " does not answer: " + ApiFailure.of(e).describe());
      } catch (KubeClients.KubeConfigException e) {
        throw new Unavailable("API server from " + origin + ": " + e.getMessage());
      }
      LOG.info("using kube-apiserver {} ({}{})", clients.requests().getBasePath(), origin,
          startedHere ? ", started by this JVM" : ", already running");
      return new LocalApiServer(clients, kubeconfig, script, startedHere);
    }

    @Override
    public void close() {
      if (!startedHere || script == null || "1".equals(System.getenv("K8S_LOCAL_KEEP"))) {
        return;
      }
      try {
        run(script, "down", Duration.ofMinutes(1), Map.of());
      } catch (Unavailable e) {
        LOG.warn("stopping the API server failed: {}", e.getMessage());
      }
    }

    private static Path findScript() throws Unavailable {
      String configured = System.getenv("K8S_LOCAL_SCRIPT");
      if (configured != null && !configured.isBlank()) {
        return Path.of(configured);
      }
      for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
        Path candidate = dir.resolve(SCRIPT);
        if (Files.isRegularFile(candidate)) {
          return candidate;
        }
      }
      throw new Unavailable("cannot find " + SCRIPT + " above " + Path.of("").toAbsolutePath()
          + "; set K8S_LOCAL_SCRIPT to its path");
    }

    /** Runs the script; returns its {@code KEY=value} stdout lines. */
    private static Map<String, String> run(Path script, String command, Duration timeout, Map<String, String> env)
        throws Unavailable {
      String shown = script + " " + command;
      Path stderr = null;
      try {
        stderr = Files.createTempFile("k8s-local-", ".log");
        ProcessBuilder builder = new ProcessBuilder("bash", script.toString(), command)
            .redirectError(stderr.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(env);
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          throw new Unavailable(shown + " did not finish within " + timeout + hint());
        }
        if (process.exitValue() != 0) {
          throw new Unavailable(shown + " failed (exit " + process.exitValue() + "): "
              + lastLines(Files.readString(stderr, StandardCharsets.UTF_8)) + hint());
        }
        Map<String, String> values = new java.util.HashMap<>();
        for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
          int eq = line.indexOf('=');
          if (eq > 0) {
            values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
          }
        }
        return values;
      } catch (IOException e) {
        throw new Unavailable("cannot run " + shown + ": " + e.getMessage() + hint());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Unavailable("interrupted while running " + shown);
      } finally {
        if (stderr != null) {
          try {
            Files.deleteIfExists(stderr);
          } catch (IOException ignored) {
            // a temp file left behind is harmless
          }
        }
      }
    }

    private static String lastLines(String text) {
      List<String> lines = new ArrayList<>(List.of(text.strip().split("\n")));
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 6), lines.size()));
    }

    private static String hint() {
      return ". To run the @RealApiServer tests: scripts/k8s-local.sh build (once, about 10 min; Go, root for apt-get), then"
          + " scripts/k8s-local.sh up-apiserver, or run with K8S_LOCAL_BUILD=1";
    }
  }

  /** Why no API server is available; the message is shown as the skip (or failure) reason. */
  private static final class Unavailable extends Exception {
    private static final long serialVersionUID = 1L;

    Unavailable(String message) {
      super(message);
    }
  }
}
