package io.github.volcanovgpu.plugin.allocate;

import io.github.volcanovgpu.contract.device.ResourceNames;
import io.github.volcanovgpu.plugin.cdi.CdiSpecRegistry;
import io.github.volcanovgpu.plugin.cdi.DeviceListSettings;
import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the Allocate path is configured with.
 *
 * @param resources the advertised resource names; only {@link ResourceNames#count()} does real work
 * @param gpuMemoryFactor MiB per memory unit of the annotations ({@code gpuMemoryFactor}), at least 1
 * @param deviceCoreScaling {@code deviceCoreScaling}; above 1 the containers get {@code CUDA_OVERSUBSCRIBE=true}
 * @param disableCoreLimit {@code disableCoreLimit}; true gives {@code GPU_CORE_UTILIZATION_POLICY=disable}
 * @param coreUtilizationPolicy value of {@code GPU_CORE_UTILIZATION_POLICY} when core limits are on
 *     ({@code default}, {@code force}); empty: the variable is not set
 * @param hookPath host directory holding {@code libvgpu.so} and {@code ld.so.preload} ({@code HOOK_PATH})
 * @param nodeName this node ({@code NODE_NAME})
 * @param cacheRoot host directory of the per-container cache directories, normally
 *     {@code <hookPath>/vgpu/containers}
 * @param lockDir host directory mounted at {@code /tmp/vgpulock}, normally {@code /tmp/vgpulock}
 * @param deviceList the device-list strategies ({@code envvar} by default)
 * @param cdi the CDI spec registry; required when a CDI strategy is on, null otherwise
 * @param migSlices dynamic MIG ({@code operatingmode: mig}): resolves {@code UUID[group-pos]} slices; null refuses
 *     MIG slices
 */
public record AllocationSettings(
    ResourceNames resources,
    int gpuMemoryFactor,
    double deviceCoreScaling,
    boolean disableCoreLimit,
    String coreUtilizationPolicy,
    Path hookPath,
    String nodeName,
    Path cacheRoot,
    Path lockDir,
    DeviceListSettings deviceList,
    @Nullable CdiSpecRegistry cdi,
    @Nullable MigSlices migSlices) {
  public static final Path DEFAULT_HOOK_PATH = Path.of("/usr/local/vgpu");
  public static final Path DEFAULT_LOCK_DIR = Path.of("/tmp/vgpulock");

  public AllocationSettings {
    Objects.requireNonNull(resources, "resources");
    Objects.requireNonNull(coreUtilizationPolicy, "coreUtilizationPolicy");
    Objects.requireNonNull(hookPath, "hookPath");
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(cacheRoot, "cacheRoot");
    Objects.requireNonNull(lockDir, "lockDir");
    Objects.requireNonNull(deviceList, "deviceList");
    if (deviceList.anyCdi() && cdi == null) {
      throw new IllegalArgumentException("device list strategies " + deviceList.strategies()
          + " need a CDI spec registry");
    }
    if (gpuMemoryFactor < 1) {
      throw new IllegalArgumentException("gpuMemoryFactor must be >= 1, got " + gpuMemoryFactor);
    }
    if (!(deviceCoreScaling > 0) || Double.isInfinite(deviceCoreScaling)) {
      throw new IllegalArgumentException("deviceCoreScaling must be a positive number, got " + deviceCoreScaling);
    }
    if (nodeName.isBlank()) {
      throw new IllegalArgumentException("nodeName must not be blank (set NODE_NAME)");
    }
  }

  /** Without dynamic MIG. */
  public AllocationSettings(ResourceNames resources, int gpuMemoryFactor, double deviceCoreScaling,
      boolean disableCoreLimit, String coreUtilizationPolicy, Path hookPath, String nodeName, Path cacheRoot,
      Path lockDir, DeviceListSettings deviceList, @Nullable CdiSpecRegistry cdi) {
    this(resources, gpuMemoryFactor, deviceCoreScaling, disableCoreLimit, coreUtilizationPolicy, hookPath, nodeName,
        cacheRoot, lockDir, deviceList, cdi, null);
  }

  /** The classic mode ({@code envvar}, no CDI). */
  public AllocationSettings(ResourceNames resources, int gpuMemoryFactor, double deviceCoreScaling,
      boolean disableCoreLimit, String coreUtilizationPolicy, Path hookPath, String nodeName, Path cacheRoot,
      Path lockDir) {
    this(resources, gpuMemoryFactor, deviceCoreScaling, disableCoreLimit, coreUtilizationPolicy, hookPath, nodeName,
        cacheRoot, lockDir, DeviceListSettings.envvar(), null);
  }

  /** These settings with other device-list strategies and CDI registry. */
  public AllocationSettings withDeviceList(DeviceListSettings list, @Nullable CdiSpecRegistry registry) {
    return new AllocationSettings(resources, gpuMemoryFactor, deviceCoreScaling, disableCoreLimit,
        coreUtilizationPolicy, hookPath, nodeName, cacheRoot, lockDir, list, registry, migSlices);
  }

  /** These settings answering MIG slices through {@code slices} (dynamic MIG). */
  public AllocationSettings withMigSlices(@Nullable MigSlices slices) {
    return new AllocationSettings(resources, gpuMemoryFactor, deviceCoreScaling, disableCoreLimit,
        coreUtilizationPolicy, hookPath, nodeName, cacheRoot, lockDir, deviceList, cdi, slices);
  }

  /**
   * Host parent of the per-container limits files, {@code <hookPath>/vgpu/limits/<podUID>_<container>/limits}: not
   * under {@link #cacheRoot()}, whose directories the containers mount read-write.
   */
  public Path limitsRoot() {
    return hookPath.resolve("vgpu").resolve("limits");
  }

  /** Volcano's resource names and defaults, cache dirs under {@code <hookPath>/vgpu/containers}. */
  public static AllocationSettings defaults(String nodeName, Path hookPath) {
    return new AllocationSettings(ResourceNames.volcanoDefaults(), 1, 1.0, false, "", hookPath, nodeName,
        hookPath.resolve("vgpu").resolve("containers"), DEFAULT_LOCK_DIR);
  }
}
