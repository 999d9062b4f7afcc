package io.github.volcanovgpu.process.kube;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    return kubeconfig.isPresent() ? fromKubeconfig(kubeconfig.get()) : inCluster();
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
    if (System.getenv("KUBERNETES_SERVICE_HOST") == null) {
      throw new KubeConfigException(
          "no --kubeconfig given and not running in a pod (KUBERNETES_SERVICE_HOST is not set)");
    }
    try {
      return new KubeClients(
          configure(ClientBuilder.cluster(), REQUEST_TIMEOUT), configure(ClientBuilder.cluster(), Duration.ZERO));
    } catch (IOException | RuntimeException e) {
      throw new KubeConfigException("cannot use the in-cluster service account: " + e.getMessage(), e);
    }
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
