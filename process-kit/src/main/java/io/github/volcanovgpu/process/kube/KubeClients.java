package io.github.volcanovgpu.process.kube;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.kubernetes.client.util.credentials.TokenFileAuthentication;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The two {@link ApiClient}s a program uses, built from one source (a kubeconfig file or the in-cluster service
 * account): {@code requests} for reads and writes, with a bounded read timeout, and {@code watches} for informers,
 * whose long-running watch responses must not hit a read timeout.
 *
 * <p>Creating clients also makes client-java ignore JSON fields it does not know, process-wide (see
 * {@link KubeJson}): without that, a Kubernetes release newer than client-java 25 breaks every pod read.
 */
public record KubeClients(ApiClient requests, ApiClient watches) {
  /** Read timeout of ordinary requests (GET, PATCH). */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** Connect timeout of both clients (client-java's default). */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** Where the kubelet mounts a pod's service account ({@code token}, {@code ca.crt}). */
  static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

  private static final String SERVICE_HOST = "KUBERNETES_SERVICE_HOST";
  private static final String SERVICE_PORT = "KUBERNETES_SERVICE_PORT";

  public KubeClients {
    Objects.requireNonNull(requests, "requests");
    Objects.requireNonNull(watches, "watches");
  }

  /**
   * From {@code --kubeconfig} when given, else the in-cluster configuration.
   *
   * @throws KubeConfigException naming the file or what is missing in the pod's environment
   */
  public static KubeClients create(Optional<Path> kubeconfig) {
    return create(kubeconfig, System.getenv());
  }

  /**
   * From {@code --kubeconfig} when given, else the in-cluster configuration read from {@code env}.
   *
   * @throws KubeConfigException naming the file or what is missing in the pod's environment
   */
  public static KubeClients create(Optional<Path> kubeconfig, Map<String, String> env) {
    return kubeconfig.isPresent() ? fromKubeconfig(kubeconfig.get()) : inCluster(env);
  }

  /** From a kubeconfig file (its current context). */
  public static KubeClients fromKubeconfig(Path path) {
    if (!Files.isReadable(path)) {
      throw new KubeConfigException("cannot read kubeconfig " + path + ": no such readable file");
    }
    return new KubeClients(
        fromKubeconfig(path, REQUEST_TIMEOUT), fromKubeconfig(path, Duration.ZERO));
  }

  /**
   * As client-java's default lookup ({@code $KUBECONFIG}, then {@code ~/.kube/config}, then the in-cluster service
   * account, then {@code localhost:8080}), for the tools that run both on a node and on a workstation.
   */
  public static KubeClients standard() {
    try {
      return new KubeClients(configure(ClientBuilder.standard(), REQUEST_TIMEOUT),
          configure(ClientBuilder.standard(), Duration.ZERO));
    } catch (IOException | RuntimeException e) {
      throw new KubeConfigException("cannot find a Kubernetes configuration: " + e.getMessage(), e);
    }
  }

  /** From the service account mounted into the pod and {@code KUBERNETES_SERVICE_HOST/PORT}. */
  public static KubeClients inCluster() {
    return inCluster(System.getenv());
  }

  /** From the service account mounted into the pod and {@code KUBERNETES_SERVICE_HOST/PORT} of {@code env}. */
  public static KubeClients inCluster(Map<String, String> env) {
    return inCluster(env, SERVICE_ACCOUNT);
  }

  /**
   * What the kubelet gives every pod: {@code KUBERNETES_SERVICE_HOST}, {@code KUBERNETES_SERVICE_PORT} and the
   * service account's {@code token} and {@code ca.crt} in {@code serviceAccount}. Checked here rather than left to
   * client-java's {@code ClientBuilder.cluster()}, which reads the process environment itself and, with a host but no
   * port (a shell or container that inherited only the host), fails with a bare {@code NumberFormatException}.
   */
  static KubeClients inCluster(Map<String, String> env, Path serviceAccount) {
    String host = env.getOrDefault(SERVICE_HOST, "").strip();
    String port = env.getOrDefault(SERVICE_PORT, "").strip();
    if (host.isEmpty()) {
      throw missing(SERVICE_HOST + " is not set, so this is not a pod", env);
    }
    if (port.isEmpty()) {
      throw missing(SERVICE_HOST + " is set but " + SERVICE_PORT + " is not set", env);
    }
    int portNumber = portNumber(port);
    if (portNumber < 1) {
      throw missing(SERVICE_PORT + " \"" + port + "\" is not a port number", env);
    }
    Path token = serviceAccount.resolve("token");
    Path ca = serviceAccount.resolve("ca.crt");
    for (Path file : List.of(token, ca)) {
      if (!Files.isReadable(file)) {
        throw missing("the pod's service account is not mounted (cannot read " + file + ")", env);
      }
    }
    try {
      String basePath = new URI("https", null, host, portNumber, null, null, null).toString();
      byte[] caCert = Files.readAllBytes(ca);
      return new KubeClients(configure(inCluster(basePath, caCert, token), REQUEST_TIMEOUT),
          configure(inCluster(basePath, caCert, token), Duration.ZERO));
    } catch (URISyntaxException e) {
      throw missing(SERVICE_HOST + " \"" + host + "\" is not a host name", env);
    } catch (IOException | RuntimeException e) {
      throw new KubeConfigException("cannot use the in-cluster service account: " + e.getMessage(), e);
    }
  }

  private static ClientBuilder inCluster(String basePath, byte[] caCert, Path token) {
    return new ClientBuilder().setBasePath(basePath).setCertificateAuthority(caCert)
        .setAuthentication(new TokenFileAuthentication(token.toString()));
  }

  private static int portNumber(String port) {
    try {
      int n = Integer.parseInt(port);
      return n >= 1 && n <= 65535 ? n : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * No kubeconfig and no usable pod environment: says what is missing and every way to give a configuration. A
   * {@code KUBECONFIG} in the environment is pointed at, since kubectl users expect it to be read.
   */
  private static KubeConfigException missing(String what, Map<String, String> env) {
    String kubeconfigEnv = env.getOrDefault("KUBECONFIG", "").strip();
    String kubeconfigHint = kubeconfigEnv.isEmpty() ? ""
        : " (KUBECONFIG is not read: pass --kubeconfig " + kubeconfigEnv + ")";
    return new KubeConfigException("no Kubernetes API server configured: no --kubeconfig given and " + what
        + "; give --kubeconfig FILE" + kubeconfigHint + ", run in a pod with a service account, or add --no-kube to "
        + "run without an API server");
  }

  private static ApiClient fromKubeconfig(Path path, Duration readTimeout) {
    try (Reader reader = Files.newBufferedReader(path)) {
      KubeConfig config = KubeConfig.loadKubeConfig(reader);
      Path dir = path.toAbsolutePath().getParent();
      if (dir != null) {
        config.setFile(dir.resolve(path.getFileName()).toFile());
      }
      if (config.getCurrentContext() == null) {
        throw new KubeConfigException("kubeconfig " + path + " has no current-context");
      }
      return configure(ClientBuilder.kubeconfig(config), readTimeout);
    } catch (IOException | RuntimeException e) {
      if (e instanceof KubeConfigException known) {
        throw known;
      }
      throw new KubeConfigException("cannot use kubeconfig " + path + ": " + e.getMessage(), e);
    }
  }

  private static ApiClient configure(ClientBuilder builder, Duration readTimeout) {
    KubeJson.ignoreUnknownFields();
    ApiClient client = builder.setReadTimeout(readTimeout).build();
    client.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
    return client;
  }

  /** The Kubernetes connection cannot be configured; the message names the file or setting. */
  public static final class KubeConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KubeConfigException(String message) {
      super(message);
    }

    public KubeConfigException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
