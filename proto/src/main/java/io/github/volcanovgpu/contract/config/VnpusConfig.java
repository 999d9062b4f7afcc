package io.github.volcanovgpu.contract.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code vnpus:} block of {@code device-config.yaml}: Volcano v1.16's wrapper {@code {hamiVnpuCore, configs}}
 * or the legacy list of chips (then {@code hamiVnpuCore} is false), as Volcano's own {@code VNPUsConfig} reads it.
 *
 * @param hamiVnpuCore the cluster-wide default for hami-core soft sharing on Ascend nodes; the node annotation
 *     {@code hami-vnpu-core} overrides it per node
 * @param configs one entry per chip; each becomes one device kind. Without a {@code configs} key, the shipped chips
 *     ({@link #defaults()}); an explicit empty list configures no Ascend kind
 */
public record VnpusConfig(boolean hamiVnpuCore, int vnpuDeviceSplitCount, List<VnpuChipConfig> configs) {
  /** hami-core shares per NPU the device plugin advertises when {@code vnpuDeviceSplitCount} is not given. */
  public static final int DEFAULT_SPLIT_COUNT = 10;

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public VnpusConfig {
    configs = List.copyOf(configs);
  }

  public VnpusConfig(boolean hamiVnpuCore, List<VnpuChipConfig> configs) {
    this(hamiVnpuCore, DEFAULT_SPLIT_COUNT, configs);
  }

  /** The chip whose commonWord is {@code commonWord}. */
  public java.util.Optional<VnpuChipConfig> chip(String commonWord) {
    return configs.stream().filter(c -> c.commonWord().equals(commonWord)).findFirst();
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static VnpusConfig create(JsonNode node) {
    if (node == null || node.isNull()) {
      return defaults();
    }
    try {
      if (node.isArray()) {
        return new VnpusConfig(false, MAPPER.convertValue(node, new TypeReference<List<VnpuChipConfig>>() {}));
      }
      if (!node.isObject()) {
        throw new IllegalArgumentException("vnpus must be a mapping {hamiVnpuCore, configs} or a list of chips");
      }
      JsonNode core = node.get("hamiVnpuCore");
      boolean hamiCore = core != null && core.asBoolean(false);
      JsonNode mode = node.get("hamiVnpuMode");
      if (mode != null && !mode.isNull() && !mode.asText().isEmpty()) {
        hamiCore = switch (mode.asText()) {
          case "hami-core", "hamiCore" -> true;
          case "template" -> false;
          case "enpu" -> throw new IllegalArgumentException(
              "hamiVnpuMode enpu (HAMi's eNPU mode) is not supported by volcano-vgpu; use hami-core or template");
          default -> throw new IllegalArgumentException(
              "hamiVnpuMode must be template or hami-core (or hamiCore), got \"" + mode.asText() + "\"");
        };
      }
      JsonNode split = node.get("vnpuDeviceSplitCount");
      JsonNode configs = node.get("configs");
      List<VnpuChipConfig> chips = configs == null || configs.isNull() ? defaults().configs()
          : MAPPER.convertValue(configs, new TypeReference<List<VnpuChipConfig>>() {});
      return new VnpusConfig(hamiCore, split == null || split.isNull() ? DEFAULT_SPLIT_COUNT : split.asInt(-1),
          chips);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("vnpus: " + e.getMessage(), e);
    }
  }

  /**
   * The chips HAMi's chart ships, with its values (910A, 910B2, 910B3, 910B4, 910B4-1, 910C — chipName
   * {@code Ascend910}, as DCMI names 910C dies — with SuperPod pairs, 310P3), hami-core off: each chip is a device
   * kind that stays idle until a node registers it and a pod asks for it.
   */
  public static VnpusConfig defaults() {
    return new VnpusConfig(false, List.of(
        chip("910A", "Ascend910A", 32768, 32768, 30, 0, false,
            t("vir02", 2184, 2, 0), t("vir04", 4369, 4, 0), t("vir08", 8738, 8, 0), t("vir16", 17476, 16, 0)),
        chip("910B2", "Ascend910B2", 65536, 65536, 24, 6, false,
            t("vir03_1c_8g", 8192, 3, 1), t("vir06_1c_16g", 16384, 6, 1), t("vir12_3c_32g", 32768, 12, 3)),
        chip("910B3", "Ascend910B3", 65536, 65536, 20, 7, false,
            t("vir05_1c_16g", 16384, 5, 1), t("vir10_3c_32g", 32768, 10, 3)),
        chip("910B4", "Ascend910B4", 32768, 32768, 20, 7, false,
            t("vir05_1c_8g", 8192, 5, 1), t("vir10_3c_16g", 16384, 10, 3)),
        chip("910B4-1", "Ascend910B4-1", 65536, 65536, 20, 7, false,
            t("vir05_1c_16g", 16384, 5, 1), t("vir10_3c_32g", 32768, 10, 3)),
        chip("Ascend910", "Ascend910C", 65536, 65536, 20, 7, true,
            t("vir05_1c_16g", 16384, 5, 1), t("vir10_3c_32g", 32768, 10, 3)),
        chip("310P3", "Ascend310P", 21527, 24576, 8, 7, false,
            t("vir01", 3072, 1, 1), t("vir02", 6144, 2, 2), t("vir04", 12288, 4, 4))));
  }

  private static VnpuChipConfig chip(String chipName, String commonWord, long allocatable, long capacity, int aiCore,
      int aiCpu, boolean superPod, VnpuTemplate... templates) {
    String resource = "huawei.com/" + commonWord;
    return new VnpuChipConfig(chipName, commonWord, resource, resource + "-memory", resource + "-core", allocatable,
        capacity, aiCore, aiCpu, superPod, List.of(templates));
  }

  private static VnpuTemplate t(String name, long memory, int aiCore, int aiCpu) {
    return new VnpuTemplate(name, memory, aiCore, aiCpu);
  }

  /** Every problem, each naming its key ({@code vnpus.configs[i].chipName} ...). */
  List<String> problems() {
    List<String> p = new ArrayList<>();
    if (vnpuDeviceSplitCount < 1) {
      p.add("vnpus.vnpuDeviceSplitCount must be a whole number >= 1, got " + vnpuDeviceSplitCount);
    }
    Set<String> words = new HashSet<>();
    Set<String> resources = new HashSet<>();
    for (int i = 0; i < configs.size(); i++) {
      VnpuChipConfig c = configs.get(i);
      String where = "vnpus.configs[" + i + "]";
      p.addAll(c.problems(where));
      if (!c.commonWord().isBlank() && !words.add(c.commonWord())) {
        p.add(where + ".commonWord " + c.commonWord() + " is configured twice");
      }
      for (String r : List.of(c.resourceName(), c.resourceMemoryName(), c.resourceCoreName())) {
        if (!r.isBlank() && !resources.add(r)) {
          p.add(where + ": resource " + r + " is used by another chip or twice by this one");
        }
      }
    }
    return p;
  }
}
