package io.github.volcanovgpu.contract.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The {@code vastai:} block of {@code device-config.yaml} (HAMi's chart: {@code vastai.enabled},
 * {@code customresources: [vastaitech.com/va]}).
 *
 * @param enabled whether the Vastai device kind is active (default true: it stays idle until a node registers)
 * @param resourceCountName the count resource, default {@code vastaitech.com/va}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record VastaiDeviceConfig(boolean enabled, String resourceCountName) {
  public static final String DEFAULT_RESOURCE = "vastaitech.com/va";

  public VastaiDeviceConfig {
    Objects.requireNonNull(resourceCountName, "resourceCountName");
  }

  @JsonCreator
  static VastaiDeviceConfig create(
      @JsonProperty("enabled") @Nullable Boolean enabled,
      @JsonProperty("resourceCountName") @Nullable String resourceCountName) {
    return new VastaiDeviceConfig(enabled == null || enabled,
        resourceCountName == null ? DEFAULT_RESOURCE : resourceCountName);
  }

  public static VastaiDeviceConfig defaults() {
    return new VastaiDeviceConfig(true, DEFAULT_RESOURCE);
  }

  List<String> problems() {
    List<String> p = new ArrayList<>();
    if (!resourceCountName.matches("[A-Za-z0-9.-]+/[A-Za-z0-9._-]+")) {
      p.add("vastai.resourceCountName must be an extended resource name like vastaitech.com/va, got \""
          + resourceCountName + "\"");
    }
    return p;
  }
}
