package io.github.volcanovgpu.bridge.kube;

import io.github.volcanovgpu.contract.config.ConfigException;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where {@code device-config.yaml} comes from: a file ({@code --device-config}) or the
 * {@value DeviceConfig#CONFIGMAP_NAME} ConfigMap in {@code kube-system}, falling back to {@code volcano-system}
 * (as Volcano and the device plugin look it up), with built-in defaults when neither exists.
 */
public final class DeviceConfigSource {
  /** Namespaces searched for the ConfigMap, in order. */
  public static final List<String> NAMESPACES = List.of("kube-system", "volcano-system");

  private static final Logger LOG = LoggerFactory.getLogger(DeviceConfigSource.class);

  private final CoreV1Api api;
  private final List<String> namespaces;

  /** @param client a request client ({@link KubeClients#requests()}) */
  public DeviceConfigSource(ApiClient client) {
    this(client, NAMESPACES);
  }

  /** Searching other namespaces (tests). */
  DeviceConfigSource(ApiClient client, List<String> namespaces) {
    this.api = new CoreV1Api(client);
    this.namespaces = List.copyOf(namespaces);
  }

  /**
   * Reads the ConfigMap from the first of {@link #NAMESPACES} that has it; defaults when none has.
   *
   * @throws ConfigException when the ConfigMap cannot be read (other than not found), lacks the
   *     {@value DeviceConfig#DATA_KEY} key, or its content is invalid
   */
  public DeviceConfig load() {
    for (String namespace : namespaces) {
      Optional<V1ConfigMap> configMap = read(namespace);
      if (configMap.isPresent()) {
        String source = "ConfigMap " + namespace + "/" + DeviceConfig.CONFIGMAP_NAME;
        Map<String, String> data = configMap.get().getData() == null ? Map.of() : configMap.get().getData();
        String yaml = data.get(DeviceConfig.DATA_KEY);
        if (yaml == null) {
          throw new ConfigException(source, List.of("has no data key " + DeviceConfig.DATA_KEY + " (keys: "
              + new TreeSet<>(data.keySet()) + ")"));
        }
        DeviceConfig config = DeviceConfig.parse(yaml, source);
        LOG.info("device config from {}", source);
        return config;
      }
    }
    LOG.info("no ConfigMap {} in {}; using the built-in device config", DeviceConfig.CONFIGMAP_NAME, namespaces);
    return DeviceConfig.defaults();
  }

  /**
   * Reads {@code device-config.yaml} from a file.
   *
   * @throws ConfigException when the file cannot be read or its content is invalid
   */
  public static DeviceConfig fromFile(Path path) {
    String yaml;
    try {
      yaml = Files.readString(path);
    } catch (IOException e) {
      throw new ConfigException(path.toString(), List.of("cannot read: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage())));
    }
    return DeviceConfig.parse(yaml, path.toString());
  }

  private Optional<V1ConfigMap> read(String namespace) {
    try {
      return Optional.of(api.readNamespacedConfigMap(DeviceConfig.CONFIGMAP_NAME, namespace).execute());
    } catch (ApiException e) {
      ApiFailure failure = ApiFailure.of(e);
      if (failure.isNotFound()) {
        return Optional.empty();
      }
      throw new ConfigException("ConfigMap " + namespace + "/" + DeviceConfig.CONFIGMAP_NAME,
          List.of("cannot read: " + failure.describe()));
    }
  }
}
