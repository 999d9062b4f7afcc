package io.github.volcanovgpu.contract.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * {@code device-config.yaml}, the data key of the {@code volcano-vgpu-device-config} ConfigMap: root keys
 * {@code nvidia} (Volcano's vGPU), {@code vnpus} (Ascend chips, Volcano v1.16's format, also HAMi's) and
 * {@code vastai}. An absent block takes its defaults.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DeviceConfig(NvidiaDeviceConfig nvidia, VnpusConfig vnpus, VastaiDeviceConfig vastai) {
  /** The ConfigMap name shared by Volcano and the device plugin. */
  public static final String CONFIGMAP_NAME = "volcano-vgpu-device-config";
  /** The data key inside the ConfigMap. */
  public static final String DATA_KEY = "device-config.yaml";

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public DeviceConfig {
    Objects.requireNonNull(nvidia, "nvidia");
    Objects.requireNonNull(vnpus, "vnpus");
    Objects.requireNonNull(vastai, "vastai");
  }

  /** Only the NVIDIA block given; Ascend and Vastai take their defaults. */
  public DeviceConfig(NvidiaDeviceConfig nvidia) {
    this(nvidia, VnpusConfig.defaults(), VastaiDeviceConfig.defaults());
  }

  @com.fasterxml.jackson.annotation.JsonCreator
  static DeviceConfig create(
      @JsonProperty("nvidia") @Nullable NvidiaDeviceConfig nvidia,
      @JsonProperty("vnpus") @Nullable VnpusConfig vnpus,
      @JsonProperty("vastai") @Nullable VastaiDeviceConfig vastai) {
    return new DeviceConfig(nvidia == null ? NvidiaDeviceConfig.defaults() : nvidia,
        vnpus == null ? VnpusConfig.defaults() : vnpus, vastai == null ? VastaiDeviceConfig.defaults() : vastai);
  }

  public static DeviceConfig defaults() {
    return new DeviceConfig(NvidiaDeviceConfig.defaults());
  }

  /**
   * Parses and validates {@code device-config.yaml}.
   *
   * @param source where the text came from, for error messages
   * @throws ConfigException with every problem found
   */
  public static DeviceConfig parse(String yaml, String source) {
    DeviceConfig config;
    try {
      config = yaml.isBlank() ? defaults() : YAML.readValue(yaml, DeviceConfig.class);
    } catch (JsonProcessingException e) {
      if (e.getCause() instanceof IllegalArgumentException bad) {
        throw new ConfigException(source, List.of(bad.getMessage()));
      }
      throw new ConfigException(source, List.of("not valid device-config YAML: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr())));
    }
    if (config == null) {
      config = defaults();
    }
    List<String> problems = new java.util.ArrayList<>(config.nvidia().problems());
    problems.addAll(config.vnpus().problems());
    problems.addAll(config.vastai().problems());
    if (!problems.isEmpty()) {
      throw new ConfigException(source, problems);
    }
    return config;
  }
}
