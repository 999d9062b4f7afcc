package io.github.volcanovgpu.plugin.register;

import io.github.volcanovgpu.contract.config.ConfigException;
import io.github.volcanovgpu.contract.config.NvidiaDeviceConfig;
import io.github.volcanovgpu.contract.device.GpuMode;
import io.github.volcanovgpu.contract.device.ResourceNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the node half registers, resolved from the device ConfigMap ({@code nvidia:} block), the node's entry in
 * the node config and explicit command-line overrides (in that order of precedence, lowest first).
 *
 * @param splitCount tasks per GPU
 * @param memoryFactor MiB per memory unit (the {@code vgpu-memory} resource counts units)
 * @param coreScaling cores resource = 100 x this per GPU; > 1 oversubscribes
 */
public record PluginSettings(
    String nodeName,
    ResourceNames resourceNames,
    int splitCount,
    int memoryFactor,
    double memoryScaling,
    double coreScaling,
    boolean disableCoreLimit,
    GpuMode mode,
    NodeConfig.Filter filter) {
  public PluginSettings {
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(resourceNames, "resourceNames");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(filter, "filter");
  }

  /** Command-line values that override the ConfigMap only when given. */
  public record Overrides(Optional<Integer> splitCount, Optional<Integer> memoryFactor,
      Optional<Double> coreScaling) {
    public static Overrides none() {
      return new Overrides(Optional.empty(), Optional.empty(), Optional.empty());
    }
  }

  /**
   * Resolves and validates the settings.
   *
   * @throws ConfigException with every problem (a zero memory factor is an error, not a division by zero)
   */
  public static PluginSettings resolve(String nodeName, NvidiaDeviceConfig device, NodeConfig nodes,
      Overrides overrides) {
    List<String> problems = new ArrayList<>();
    if (nodeName.isBlank()) {
      problems.add("NODE_NAME is required (the node this plugin runs on)");
    }
    int split = device.deviceSplitCount();
    double memoryScaling = device.deviceMemoryScaling();
    double coreScaling = device.deviceCoreScaling();
    GpuMode mode = GpuMode.HAMI_CORE;
    NodeConfig.Filter filter = new NodeConfig.Filter(List.of(), List.of());
    Optional<NodeConfig.Entry> entry = nodes.forNode(nodeName);
    if (entry.isPresent()) {
      NodeConfig.Entry e = entry.get();
      split = e.deviceSplitCount() > 0 ? e.deviceSplitCount() : split;
      memoryScaling = e.deviceMemoryScaling() > 0 ? e.deviceMemoryScaling() : memoryScaling;
      coreScaling = e.deviceCoreScaling() > 0 ? e.deviceCoreScaling() : coreScaling;
      mode = e.mode();
      filter = e.filter();
    }
    split = overrides.splitCount().orElse(split);
    int factor = overrides.memoryFactor().orElse(device.gpuMemoryFactor());
    coreScaling = overrides.coreScaling().orElse(coreScaling);
    if (split < 1) {
      problems.add("device split count must be >= 1, got " + split);
    }
    if (factor < 1) {
      problems.add("gpu memory factor must be >= 1 MiB per unit, got " + factor);
    }
    if (!(coreScaling > 0)) {
      problems.add("device core scaling must be > 0, got " + coreScaling);
    }
    if (!problems.isEmpty()) {
      throw new ConfigException("device plugin settings", problems);
    }
    return new PluginSettings(nodeName, device.resourceNames(), split, factor, memoryScaling, coreScaling,
        device.disableCoreLimit(), mode, filter);
  }
}
