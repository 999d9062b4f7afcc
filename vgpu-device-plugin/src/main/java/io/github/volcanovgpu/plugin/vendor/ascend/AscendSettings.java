package io.github.volcanovgpu.plugin.vendor.ascend;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The Ascend kind's command-line settings and its container layout for hami-core soft sharing (the layout of HAMi's
 * ascend-device-plugin, reference libvgpu-core.md §7.3).
 *
 * @param hookPath host directory of the limiter: its library and {@code ld.so.preload}
 *     ({@code --npu-hook-path}, default {@value #DEFAULT_HOOK_PATH}); per-container directories and limits files
 *     are made under it
 * @param sharedRegionPath host directory of the node-global time-slice registries ({@code --npu-shared-region})
 * @param driverMounts host paths of the driver mounted read-only at the same place (npu-smi, version files)
 * @param healthInterval how often DCMI health is polled ({@code --npu-health-interval}); zero: never
 */
public record AscendSettings(Path hookPath, Path sharedRegionPath, List<String> driverMounts,
    Duration healthInterval) {
  public static final String DEFAULT_HOOK_PATH = "/usr/local/hami-vnpu-core";
  public static final String DEFAULT_SHARED_REGION_PATH = "/usr/local/hami-shared-region";
  /** The driver bits HAMi's plugin mounts into hami-core containers. */
  public static final List<String> DEFAULT_DRIVER_MOUNTS = List.of("/usr/local/bin/npu-smi",
      "/etc/ascend_install.info", "/usr/local/Ascend/driver/lib64/driver", "/usr/local/Ascend/driver/version.info");

  /** In the container: the limiter directory (read-only). */
  public static final String CONTAINER_HOOK_DIR = "/hami-vnpu-core";
  /** In the container: the node-global registries (read-write, shared by every container of the node). */
  public static final String CONTAINER_SHARED_REGION = "/hami-shared-region";
  /** In the container: the container's own directory (read-write), holding its accounting region. */
  public static final String CONTAINER_LOCAL_DIR = "/hami-vnpu-shmem";
  /**
   * The container's accounting region ({@code NPU_LOCAL_SHM_PATH}, the limits file's {@code region}); libvgpu's
   * region format, so not named like hami-vnpu-core's {@code vnpu_local_shmem}.
   */
  public static final String CONTAINER_LOCAL_SHM = CONTAINER_LOCAL_DIR + "/vnpu.cache";
  public static final String CONTAINER_PRELOAD = "/etc/ld.so.preload";
  static final String PRELOAD = "ld.so.preload";

  public AscendSettings {
    Objects.requireNonNull(hookPath, "hookPath");
    Objects.requireNonNull(sharedRegionPath, "sharedRegionPath");
    driverMounts = List.copyOf(driverMounts);
    Objects.requireNonNull(healthInterval, "healthInterval");
  }

  public static AscendSettings defaults() {
    return new AscendSettings(Path.of(DEFAULT_HOOK_PATH), Path.of(DEFAULT_SHARED_REGION_PATH), DEFAULT_DRIVER_MOUNTS,
        Duration.ofSeconds(5));
  }

  /**
   * The NPU's card registry in the container ({@code NPU_GLOBAL_SHM_PATH}, the limits file's scheduler): libvgpu's
   * time-slice registry, one file per physical NPU, so not named like hami-vnpu-core's {@code <id>_global_registry}.
   */
  public static String globalRegistry(int phyId) {
    return CONTAINER_SHARED_REGION + "/" + phyId + ".sched";
  }

  /** Host parent of the per-container directories ({@code <hookPath>/containers/<podUID>_<container>}). */
  public Path containersDir() {
    return hookPath.resolve("containers");
  }

  /** Host parent of the per-container limits files ({@code <hookPath>/limits/<podUID>_<container>/limits}). */
  public Path limitsDir() {
    return hookPath.resolve("limits");
  }
}
