package io.github.volcanovgpu.bridge.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.contract.config.ConfigException;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Stands in for kube-system (primary) and volcano-system (fallback) with two test namespaces. One instance for the
 * class: a deleted namespace stays Terminating here (no controller manager), so its name cannot be reused.
 */
@RealApiServer
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeviceConfigSourceIT {
  private final CoreV1Api api;
  private final String primary;
  private final String fallback;
  private final DeviceConfigSource source;

  DeviceConfigSourceIT(ApiClient client, CoreV1Api api, TestNamespace ns) {
    this.api = api;
    this.primary = ns.name() + "-primary";
    this.fallback = ns.name();
    this.source = new DeviceConfigSource(client, List.of(primary, fallback));
  }

  @BeforeAll
  void createPrimaryNamespace() throws Exception {
    api.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(primary))).execute();
  }

  @AfterEach
  void deleteConfigMaps() throws Exception {
    api.deleteCollectionNamespacedConfigMap(primary).execute();
    api.deleteCollectionNamespacedConfigMap(fallback).execute();
  }

  @AfterAll
  void deletePrimaryNamespace() throws Exception {
    api.deleteNamespace(primary).execute();
  }

  private void configMap(String namespace, Map<String, String> data) throws Exception {
    api.createNamespacedConfigMap(namespace, new V1ConfigMap()
        .metadata(new V1ObjectMeta().name(DeviceConfig.CONFIGMAP_NAME)).data(data)).execute();
  }

  @Test
  void defaultsWhenTheConfigMapExistsNowhere() {
    assertThat(source.load()).isEqualTo(DeviceConfig.defaults());
  }

  @Test
  void firstNamespaceWins() throws Exception {
    configMap(primary, Map.of(DeviceConfig.DATA_KEY, "nvidia:\n  deviceSplitCount: 3\n"));
    configMap(fallback, Map.of(DeviceConfig.DATA_KEY, "nvidia:\n  deviceSplitCount: 7\n"));

    assertThat(source.load().nvidia().deviceSplitCount()).isEqualTo(3);
  }

  @Test
  void fallsBackToTheSecondNamespace() throws Exception {
    configMap(fallback, Map.of(DeviceConfig.DATA_KEY,
        "nvidia:\n  resourceCountName: nvidia.com/gpu\n  deviceSplitCount: 7\n"));

    DeviceConfig config = source.load();

    assertThat(config.nvidia().deviceSplitCount()).isEqualTo(7);
    assertThat(config.nvidia().resourceCountName()).isEqualTo("nvidia.com/gpu");
  }

  @Test
  void invalidContentNamesTheConfigMapAndEveryProblem() throws Exception {
    configMap(primary, Map.of(DeviceConfig.DATA_KEY, "nvidia:\n  deviceSplitCount: 0\n  gpuMemoryFactor: 0\n"));

    assertThatThrownBy(source::load)
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("ConfigMap " + primary + "/volcano-vgpu-device-config: ")
        .hasMessageContaining("nvidia.deviceSplitCount must be >= 1, got 0")
        .hasMessageContaining("nvidia.gpuMemoryFactor must be >= 1");
  }

  @Test
  void configMapWithoutTheDataKeyIsAnError() throws Exception {
    configMap(primary, Map.of("config.yaml", "nvidia: {}"));

    assertThatThrownBy(source::load)
        .isInstanceOf(ConfigException.class)
        .hasMessage("ConfigMap " + primary + "/volcano-vgpu-device-config: has no data key device-config.yaml"
            + " (keys: [config.yaml])");
  }
}
