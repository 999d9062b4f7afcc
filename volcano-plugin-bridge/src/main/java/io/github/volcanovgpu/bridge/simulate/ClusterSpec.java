package io.github.volcanovgpu.bridge.simulate;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.contract.annotation.NodeRegistrationCodec;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.config.ConfigException;
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
 * A simulated GPU cluster described in YAML: groups of identical nodes.
 *
 * <pre>
 * nodes:
 *   - name: a100            # node names a100-1 .. a100-4
 *     count: 4
 *     gpus: 8
 *     gpuModel: NVIDIA A100-SXM4-80GB
 *     gpuMemoryMib: 81920
 *     splitCount: 10
 * </pre>
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ClusterSpec(@JsonProperty("nodes") List<NodeGroup> nodes) {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public ClusterSpec {
    nodes = nodes == null ? List.of() : List.copyOf(nodes);
  }

  /** One group of identical GPU nodes. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record NodeGroup(
      @JsonProperty("name") @Nullable String name,
      @JsonProperty("count") int count,
      @JsonProperty("gpus") int gpus,
      @JsonProperty("gpuModel") @Nullable String gpuModel,
      @JsonProperty("gpuMemoryMib") long gpuMemoryMib,
      @JsonProperty("splitCount") int splitCount) {}

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
    if (!problems.isEmpty()) {
      throw new ConfigException(file.toString(), problems);
    }
    return spec;
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
}
