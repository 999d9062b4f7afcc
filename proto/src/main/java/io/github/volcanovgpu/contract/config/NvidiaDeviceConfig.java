package io.github.volcanovgpu.contract.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.github.volcanovgpu.contract.device.ResourceNames;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code nvidia:} block of {@code device-config.yaml} in the {@code volcano-vgpu-device-config} ConfigMap, with
 * the keys of Volcano and Project-HAMi's device plugin. Absent keys take the shipped defaults.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NvidiaDeviceConfig(
    @JsonProperty("resourceCountName") String resourceCountName,
    @JsonProperty("resourceMemoryName") String resourceMemoryName,
    @JsonProperty("resourceMemoryPercentageName") String resourceMemoryPercentageName,
    @JsonProperty("resourceCoreName") String resourceCoreName,
    @JsonProperty("resourcePriorityName") String resourcePriorityName,
    @JsonProperty("overwriteEnv") boolean overwriteEnv,
    @JsonProperty("defaultMemory") long defaultMemory,
    @JsonProperty("defaultCores") int defaultCores,
    @JsonProperty("defaultGPUNum") int defaultGpuNum,
    @JsonProperty("deviceSplitCount") int deviceSplitCount,
    @JsonProperty("deviceMemoryScaling") double deviceMemoryScaling,
    @JsonProperty("deviceCoreScaling") double deviceCoreScaling,
    @JsonProperty("disableCoreLimit") boolean disableCoreLimit,
    @JsonProperty("gpuMemoryFactor") int gpuMemoryFactor,
    @JsonProperty("knownMigGeometries") List<MigGeometry> knownMigGeometries) {

  @com.fasterxml.jackson.annotation.JsonCreator
  public NvidiaDeviceConfig(
      @JsonProperty("resourceCountName") @Nullable String resourceCountName,
      @JsonProperty("resourceMemoryName") @Nullable String resourceMemoryName,
      @JsonProperty("resourceMemoryPercentageName") @Nullable String resourceMemoryPercentageName,
      @JsonProperty("resourceCoreName") @Nullable String resourceCoreName,
      @JsonProperty("resourcePriorityName") @Nullable String resourcePriorityName,
      @JsonProperty("overwriteEnv") @Nullable Boolean overwriteEnv,
      @JsonProperty("defaultMemory") @Nullable Long defaultMemory,
      @JsonProperty("defaultCores") @Nullable Integer defaultCores,
      @JsonProperty("defaultGPUNum") @Nullable Integer defaultGpuNum,
      @JsonProperty("deviceSplitCount") @Nullable Integer deviceSplitCount,
      @JsonProperty("deviceMemoryScaling") @Nullable Double deviceMemoryScaling,
      @JsonProperty("deviceCoreScaling") @Nullable Double deviceCoreScaling,
      @JsonProperty("disableCoreLimit") @Nullable Boolean disableCoreLimit,
      @JsonProperty("gpuMemoryFactor") @Nullable Integer gpuMemoryFactor,
      @JsonProperty("knownMigGeometries") @Nullable List<MigGeometry> knownMigGeometries) {
    this(
        or(resourceCountName, ResourceNames.VOLCANO_COUNT),
        or(resourceMemoryName, ResourceNames.VOLCANO_MEMORY),
        or(resourceMemoryPercentageName, ResourceNames.VOLCANO_MEMORY_PERCENTAGE),
        or(resourceCoreName, ResourceNames.VOLCANO_CORES),
        or(resourcePriorityName, "volcano.sh/vgpu-priority"),
        overwriteEnv != null && overwriteEnv,
        defaultMemory == null ? 0 : defaultMemory,
        defaultCores == null ? 0 : defaultCores,
        defaultGpuNum == null ? 1 : defaultGpuNum,
        deviceSplitCount == null ? 10 : deviceSplitCount,
        deviceMemoryScaling == null ? 1.0 : deviceMemoryScaling,
        deviceCoreScaling == null ? 1.0 : deviceCoreScaling,
        disableCoreLimit != null && disableCoreLimit,
        gpuMemoryFactor == null ? 1 : gpuMemoryFactor,
        knownMigGeometries == null ? List.of() : knownMigGeometries,
        true);
  }

  private NvidiaDeviceConfig(
      String a, String b, String c, String d, String e, boolean f, long g, int h, int i, int j, double k,
      double l, boolean m, int n, List<MigGeometry> o, boolean marker) {
    this(a, b, c, d, e, f, g, h, i, j, k, l, m, n, List.copyOf(o));
  }

  /** Shipped defaults (Project-HAMi chart values without MIG geometries). */
  public static NvidiaDeviceConfig defaults() {
    return new NvidiaDeviceConfig(
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  public ResourceNames resourceNames() {
    return new ResourceNames(
        resourceCountName, resourceMemoryName, resourceMemoryPercentageName, resourceCoreName);
  }

  /** Every problem with this block, empty when usable. */
  public List<String> problems() {
    List<String> p = new ArrayList<>();
    if (resourceCountName.isBlank()) {
      p.add("nvidia.resourceCountName must not be empty");
    }
    if (resourceMemoryName.isBlank()) {
      p.add("nvidia.resourceMemoryName must not be empty");
    }
    if (resourceCoreName.isBlank()) {
      p.add("nvidia.resourceCoreName must not be empty");
    }
    if (gpuMemoryFactor < 1) {
      p.add("nvidia.gpuMemoryFactor must be >= 1 (MiB per memory unit), got " + gpuMemoryFactor);
    }
    if (deviceSplitCount < 1) {
      p.add("nvidia.deviceSplitCount must be >= 1, got " + deviceSplitCount);
    }
    if (!(deviceMemoryScaling > 0)) {
      p.add("nvidia.deviceMemoryScaling must be > 0, got " + deviceMemoryScaling);
    }
    if (!(deviceCoreScaling > 0)) {
      p.add("nvidia.deviceCoreScaling must be > 0, got " + deviceCoreScaling);
    }
    if (defaultMemory < 0) {
      p.add("nvidia.defaultMemory must be >= 0, got " + defaultMemory);
    }
    if (defaultCores < 0 || defaultCores > 100) {
      p.add("nvidia.defaultCores must be within 0..100, got " + defaultCores);
    }
    for (int i = 0; i < knownMigGeometries.size(); i++) {
      MigGeometry g = knownMigGeometries.get(i);
      if (g.models().isEmpty()) {
        p.add("nvidia.knownMigGeometries[" + i + "].models must not be empty");
      }
      java.util.Set<String> groupNames = new java.util.HashSet<>();
      for (MigGeometry.Group group : g.allowedGeometries()) {
        // the group name is part of the device id UUID[group-pos]: it must identify the group
        if (group.group().isBlank() || group.group().contains("[") || group.group().contains("]")
            || group.group().contains(",") || group.group().contains(":") || group.group().contains(";")) {
          p.add("nvidia.knownMigGeometries[" + i + "] group name '" + group.group()
              + "' must be non-empty and free of [ ] , : ;");
        } else if (!groupNames.add(group.group())) {
          p.add("nvidia.knownMigGeometries[" + i + "] group " + group.group() + " is listed twice");
        }
        for (MigGeometry.Instance in : group.geometries()) {
          if (in.memory() <= 0 || in.count() <= 0) {
            p.add("nvidia.knownMigGeometries[" + i + "] group " + group.group() + " instance " + in.name()
                + " needs memory > 0 and count > 0");
          }
        }
      }
    }
    return p;
  }

  private static String or(@Nullable String v, String dflt) {
    return v == null ? dflt : v;
  }
}
