package io.github.volcanovgpu.plugin.register;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.volcanovgpu.contract.config.ConfigException;
import io.github.volcanovgpu.contract.device.GpuMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The node config file {@code config.json} of the {@code volcano-vgpu-node-config} ConfigMap, with the keys of
 * Project-HAMi's plugins: {@code {"nodeconfig":[{"name", "operatingmode", "devicememoryscaling",
 * "devicecorescaling", "devicesplitcount", "migstrategy", "filterdevices":{"uuid":[],"index":[]},
 * "hami-vnpu-core", "vnpudevicesplitcount"}]}} (the last two for Ascend nodes).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NodeConfig(@JsonProperty("nodeconfig") List<Entry> nodeconfig) {
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public NodeConfig {
    nodeconfig = nodeconfig == null ? List.of() : List.copyOf(nodeconfig);
  }

  /**
   * One node's overrides; values <= 0 mean "not set" as in the existing plugin.
   *
   * @param hamiVnpuCore Ascend: hami-core soft sharing on this node ({@code "hami-vnpu-core": true}), overriding
   *     {@code vnpus.hamiVnpuCore} of the device config; null: not set
   * @param vnpuDeviceSplitCount Ascend hami-core: shares per NPU, overriding {@code vnpus.vnpuDeviceSplitCount}
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Entry(
      @JsonProperty("name") @Nullable String name,
      @JsonProperty("operatingmode") @Nullable String operatingMode,
      @JsonProperty("devicememoryscaling") double deviceMemoryScaling,
      @JsonProperty("devicecorescaling") double deviceCoreScaling,
      @JsonProperty("devicesplitcount") int deviceSplitCount,
      @JsonProperty("migstrategy") @Nullable String migStrategy,
      @JsonProperty("filterdevices") @Nullable Filter filterDevices,
      @JsonProperty("hami-vnpu-core") @Nullable Boolean hamiVnpuCore,
      @JsonProperty("vnpudevicesplitcount") int vnpuDeviceSplitCount) {
    /** Operating mode, {@code hami-core} when absent. */
    public GpuMode mode() {
      return operatingMode == null || operatingMode.isBlank() ? GpuMode.HAMI_CORE
          : GpuMode.parseStrict(operatingMode).orElse(GpuMode.HAMI_CORE);
    }

    public Filter filter() {
      return filterDevices == null ? new Filter(List.of(), List.of()) : filterDevices;
    }
  }

  /** GPUs not to register, by UUID or index. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Filter(@JsonProperty("uuid") List<String> uuids, @JsonProperty("index") List<Integer> indexes) {
    public Filter {
      uuids = uuids == null ? List.of() : List.copyOf(uuids);
      indexes = indexes == null ? List.of() : List.copyOf(indexes);
    }

    public boolean excludes(String uuid, int index) {
      return uuids.contains(uuid) || indexes.contains(index);
    }
  }

  public static NodeConfig empty() {
    return new NodeConfig(List.of());
  }

  /**
   * Parses and validates {@code config.json}.
   *
   * @throws ConfigException listing every problem
   */
  public static NodeConfig parse(String json, String source) {
    NodeConfig c;
    try {
      c = json.isBlank() ? empty() : JSON.readValue(json, NodeConfig.class);
    } catch (JsonProcessingException e) {
      throw new ConfigException(source, List.of("not valid node config JSON: " + e.getOriginalMessage()));
    }
    if (c == null) {
      return empty();
    }
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < c.nodeconfig().size(); i++) {
      Entry e = c.nodeconfig().get(i);
      String at = "nodeconfig[" + i + "]";
      if (e.name() == null || e.name().isBlank()) {
        problems.add(at + ".name is required");
      }
      if (e.operatingMode() != null && !e.operatingMode().isBlank()
          && GpuMode.parseStrict(e.operatingMode()).isEmpty()) {
        problems.add(at + ".operatingmode must be hami-core or mig, got \"" + e.operatingMode() + "\"");
      }
      if (e.deviceMemoryScaling() < 0 || e.deviceCoreScaling() < 0 || e.deviceSplitCount() < 0
          || e.vnpuDeviceSplitCount() < 0) {
        problems.add(at + ": scaling and split counts must not be negative");
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(source, problems);
    }
    return c;
  }

  /** The entry for {@code node}, if any. */
  public Optional<Entry> forNode(String node) {
    return nodeconfig.stream().filter(e -> node.equals(e.name())).findFirst();
  }
}
