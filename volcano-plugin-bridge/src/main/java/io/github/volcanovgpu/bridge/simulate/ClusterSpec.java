package io.github.volcanovgpu.bridge.simulate;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.contract.annotation.AscendAnnotations;
import io.github.volcanovgpu.contract.annotation.HamiAnnotations;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfo;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfoCodec;
import io.github.volcanovgpu.contract.annotation.NodeRegistrationCodec;
import io.github.volcanovgpu.contract.annotation.VastaiAnnotations;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.config.ConfigException;
import io.github.volcanovgpu.contract.config.VastaiDeviceConfig;
import io.github.volcanovgpu.contract.config.VnpuChipConfig;
import io.github.volcanovgpu.contract.config.VnpusConfig;
import io.github.volcanovgpu.contract.device.GpuMode;
import io.github.volcanovgpu.contract.device.RegisteredGpu;
import io.github.volcanovgpu.contract.device.ResourceNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A simulated cluster described in YAML: groups of identical nodes of one device kind, registered as the kind's
 * device plugin registers them.
 *
 * <pre>
 * nodes:
 *   - name: a100            # node names a100-1 .. a100-4 (kind: nvidia is the default)
 *     count: 4
 *     gpus: 8
 *     gpuModel: NVIDIA A100-SXM4-80GB
 *     gpuMemoryMib: 81920
 *     splitCount: 10
 *   - name: a3
 *     kind: ascend
 *     count: 2
 *     chip: Ascend910C        # a commonWord of vnpus.configs
 *     npus: 16
 *     hamiCore: true          # node annotation hami-vnpu-core; false: template vNPUs
 *   - name: va
 *     kind: vastai
 *     count: 1
 *     cards: 2
 *     diesPerCard: 4          # 0: full-card mode
 * priorityClasses:          # optional: the PriorityClasses vcjobs name in spec.priorityClassName (name: value)
 *   high: 1000
 * </pre>
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ClusterSpec(@JsonProperty("nodes") List<NodeGroup> nodes,
    @JsonProperty("priorityClasses") Map<String, Integer> priorityClasses) {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public ClusterSpec {
    nodes = nodes == null ? List.of() : List.copyOf(nodes);
    priorityClasses = priorityClasses == null ? Map.of() : Map.copyOf(priorityClasses);
  }

  /** A cluster of these node groups and no PriorityClasses. */
  public ClusterSpec(List<NodeGroup> nodes) {
    this(nodes, Map.of());
  }

  /** One group of identical nodes; which fields apply depends on {@code kind}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record NodeGroup(
      @JsonProperty("name") @Nullable String name,
      @JsonProperty("kind") @Nullable String kind,
      @JsonProperty("count") int count,
      @JsonProperty("gpus") int gpus,
      @JsonProperty("gpuModel") @Nullable String gpuModel,
      @JsonProperty("gpuMemoryMib") long gpuMemoryMib,
      @JsonProperty("splitCount") int splitCount,
      @JsonProperty("chip") @Nullable String chip,
      @JsonProperty("npus") int npus,
      @JsonProperty("hamiCore") boolean hamiCore,
      @JsonProperty("cards") int cards,
      @JsonProperty("diesPerCard") int diesPerCard) {
    /** {@code nvidia} (default), {@code ascend} or {@code vastai}. */
    public String kindOrDefault() {
      return kind == null || kind.isBlank() ? "nvidia" : kind;
    }
  }

  /** Reads and validates a cluster file; every problem is reported. */
  public static ClusterSpec read(Path file) {
    ClusterSpec spec;
    try {
      spec = YAML.readValue(Files.readString(file), ClusterSpec.class);
    } catch (IOException e) {
      throw new ConfigException(file.toString(), List.of("cannot read cluster YAML: " + e.getMessage()));
    }
    if (spec == null) {
      throw new ConfigException(file.toString(), List.of("empty cluster file"));
    }
    List<String> problems = new ArrayList<>();
    if (spec.nodes().isEmpty()) {
      problems.add("nodes: at least one node group is needed");
    }
    for (int i = 0; i < spec.nodes().size(); i++) {
      NodeGroup g = spec.nodes().get(i);
      String at = "nodes[" + i + "]";
      if (g.name() == null || !g.name().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
        problems.add(at + ".name must be a DNS label, got " + g.name());
      }
      if (g.count() < 1) {
        problems.add(at + ".count must be >= 1");
      }
      switch (g.kindOrDefault()) {
        case "nvidia" -> nvidiaProblems(g, at, problems);
        case "ascend" -> {
          if (g.chip() == null || VnpusConfig.defaults().chip(g.chip()).isEmpty()) {
            problems.add(at + ".chip must be a shipped Ascend commonWord (" + VnpusConfig.defaults().configs()
                .stream().map(VnpuChipConfig::commonWord).toList() + "), got " + g.chip());
          }
          if (g.npus() < 1 || g.npus() > 64) {
            problems.add(at + ".npus must be within 1..64");
          }
        }
        case "vastai" -> {
          if (g.cards() < 1 || g.cards() > 64) {
            problems.add(at + ".cards must be within 1..64");
          }
          if (g.diesPerCard() < 0 || g.diesPerCard() > 16) {
            problems.add(at + ".diesPerCard must be within 0..16 (0: full-card mode)");
          }
        }
        default -> problems.add(at + ".kind must be nvidia, ascend or vastai, got " + g.kind());
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(file.toString(), problems);
    }
    return spec;
  }

  private static void nvidiaProblems(NodeGroup g, String at, List<String> problems) {
    if (g.gpus() < 1 || g.gpus() > 64) {
      problems.add(at + ".gpus must be within 1..64");
    }
    if (g.gpuModel() == null || g.gpuModel().isBlank() || g.gpuModel().contains(",")
        || g.gpuModel().contains(":")) {
      problems.add(at + ".gpuModel must be a non-empty name without ',' or ':'");
    }
    if (g.gpuMemoryMib() < 1) {
      problems.add(at + ".gpuMemoryMib must be >= 1");
    }
    if (g.splitCount() < 1) {
      problems.add(at + ".splitCount must be >= 1");
    }
  }

  /**
   * The nodes as the device plugin would register them: register annotation and allocatable resources, GPU UUIDs
   * derived from the node name.
   */
  public List<NodeView> toNodes() {
    List<NodeView> out = new ArrayList<>();
    for (NodeGroup g : nodes) {
      for (int n = 1; n <= g.count(); n++) {
        String name = g.name() + "-" + n;
        if (g.kindOrDefault().equals("ascend")) {
          out.add(ascendNode(name, g));
          continue;
        }
        if (g.kindOrDefault().equals("vastai")) {
          out.add(vastaiNode(name, g));
          continue;
        }
        List<RegisteredGpu> gpus = new ArrayList<>();
        for (int i = 0; i < g.gpus(); i++) {
          String uuid = String.format("GPU-%08x-%04x-%04x-0000-%012d", Math.abs(name.hashCode()), n, i, i);
          gpus.add(new RegisteredGpu(uuid, i, g.splitCount(), g.gpuMemoryMib(), "NVIDIA-" + g.gpuModel(), true,
              GpuMode.HAMI_CORE));
        }
        Map<String, String> annotations = Map.of(VgpuAnnotations.NODE_REGISTER, NodeRegistrationCodec.encode(gpus));
        Map<String, String> allocatable = new LinkedHashMap<>();
        allocatable.put("cpu", "96");
        allocatable.put("memory", "768Gi");
        allocatable.put("pods", "110");
        allocatable.put(ResourceNames.VOLCANO_COUNT, Long.toString((long) g.gpus() * g.splitCount()));
        allocatable.put(ResourceNames.VOLCANO_MEMORY, Long.toString(g.gpus() * g.gpuMemoryMib()));
        allocatable.put(ResourceNames.VOLCANO_CORES, Long.toString(g.gpus() * 100L));
        out.add(NodeView.of(name, annotations, allocatable, List.of()));
      }
    }
    return out;
  }

  /**
   * An Ascend node as the device plugin registers it: per NPU HAMi's DeviceInfo with die-like ids, the chip's
   * allocatable memory, 100 (hami-core) or the chip's AI cores, shares = vnpuDeviceSplitCount (hami-core) or whole
   * smallest templates per NPU, 910 network ids and 910C module ids; the handshake, {@code hami-vnpu-core} and the
   * count resource.
   */
  private static NodeView ascendNode(String name, NodeGroup g) {
    VnpuChipConfig chip = VnpusConfig.defaults().chip(g.chip()).orElseThrow();
    int shares = g.hamiCore() ? VnpusConfig.DEFAULT_SPLIT_COUNT
        : chip.templates().isEmpty() ? 1 : (int) (chip.memoryAllocatableMib() / chip.templates().get(0).memoryMib());
    List<HamiDeviceInfo> npus = new ArrayList<>();
    for (int i = 0; i < g.npus(); i++) {
      Map<String, Object> custom = new LinkedHashMap<>();
      custom.put(AscendAnnotations.CUSTOM_PHYSICAL_ID, (long) i);
      if (chip.commonWord().startsWith("Ascend910")) {
        custom.put(AscendAnnotations.CUSTOM_NETWORK_ID, chip.isAscend910C() ? 0L : (long) (i > 3 ? 1 : 0));
      }
      if (chip.isAscend910C()) {
        custom.put(AscendAnnotations.CUSTOM_MODULE_ID, (long) i / 2);
      }
      String id = String.format("%08X-%08X-%08X-00000000-%08X", Math.abs(name.hashCode()), i, g.npus(), i);
      npus.add(new HamiDeviceInfo(id, i, shares, chip.memoryAllocatableMib(), g.hamiCore() ? 100 : chip.aiCore(),
          chip.commonWord(), 0, "", true, "", custom));
    }
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(HamiAnnotations.nodeRegister(chip.commonWord()), HamiDeviceInfoCodec.encode(npus));
    annotations.put(HamiAnnotations.nodeHandshake(chip.commonWord()),
        HamiAnnotations.reported(java.time.Instant.EPOCH));
    annotations.put(AscendAnnotations.NODE_HAMI_CORE, Boolean.toString(g.hamiCore()));
    return NodeView.of(name, annotations, hostAllocatable(chip.resourceName(), (long) g.npus() * shares), List.of());
  }

  /** A Vastai node: one device per die (die mode, {@code DeviceStrategy: die}, {@code AIC}) or per card. */
  private static NodeView vastaiNode(String name, NodeGroup g) {
    List<HamiDeviceInfo> devices = new ArrayList<>();
    boolean dies = g.diesPerCard() > 0;
    for (int c = 0; c < g.cards(); c++) {
      for (int d = 0; d < Math.max(1, g.diesPerCard()); d++) {
        String id = dies ? name + "-va" + c + "-die" + d : name + "-va" + c;
        devices.add(new HamiDeviceInfo(id, devices.size(), 1, 0, 100, VastaiAnnotations.COMMON_WORD, 0, "", true,
            "", Map.of(VastaiAnnotations.CUSTOM_DEVICE_STRATEGY, dies ? VastaiAnnotations.STRATEGY_DIE
                : VastaiAnnotations.STRATEGY_CARD, VastaiAnnotations.CUSTOM_AIC, Integer.toString(c))));
      }
    }
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(VastaiAnnotations.NODE_REGISTER, HamiDeviceInfoCodec.encode(devices));
    annotations.put(VastaiAnnotations.NODE_HANDSHAKE, HamiAnnotations.reported(java.time.Instant.EPOCH));
    return NodeView.of(name, annotations, hostAllocatable(VastaiDeviceConfig.DEFAULT_RESOURCE, devices.size()),
        List.of());
  }

  private static Map<String, String> hostAllocatable(String resource, long count) {
    Map<String, String> allocatable = new LinkedHashMap<>();
    allocatable.put("cpu", "96");
    allocatable.put("memory", "768Gi");
    allocatable.put("pods", "110");
    allocatable.put(resource, Long.toString(count));
    return allocatable;
  }
}
