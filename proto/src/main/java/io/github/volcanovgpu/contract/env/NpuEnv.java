package io.github.volcanovgpu.contract.env;

/**
 * The environment an Ascend container gets from the device plugin: the Ascend runtime's device list and HAMi's
 * hami-vnpu-core names, which libvgpu's NPU front end reads too ({@code libvgpu-native/include/vgpu/core.h}:
 * {@code VGPU_ENV_NPU_*}), plus the template vNPU spec of HAMi's template mode. One place for these names.
 */
public final class NpuEnv {
  /** Comma list of the container's NPUs by physical id (Ascend Docker Runtime; HAMi's ascend-device-plugin). */
  public static final String VISIBLE_DEVICES = "ASCEND_VISIBLE_DEVICES";
  /** Template mode: the vNPU template the Ascend runtime creates (e.g. {@code vir05_1c_16g}). */
  public static final String VNPU_SPECS = "ASCEND_VNPU_SPECS";
  /** hami-core: device memory quota in MiB (HAMi); libvgpu also reads {@code NPU_MEM_QUOTA_<i>}. */
  public static final String MEM_QUOTA = "NPU_MEM_QUOTA";
  /**
   * hami-core: the {@code -core} request in percent (HAMi's name; libvgpu reads it when {@link #CORE_PERCENT} is
   * unset).
   */
  public static final String PRIORITY = "NPU_PRIORITY";
  /** hami-core: share of device time in percent (libvgpu's own name). */
  public static final String CORE_PERCENT = "NPU_CORE_PERCENT";
  /** hami-core: the container's accounting region (HAMi's local shmem file). */
  public static final String LOCAL_SHM_PATH = "NPU_LOCAL_SHM_PATH";
  /**
   * hami-core: the card's node-global time-slice registry of the container's first NPU; {@link #perDevice} for the
   * others.
   */
  public static final String GLOBAL_SHM_PATH = "NPU_GLOBAL_SHM_PATH";
  /** libvgpu's log level. */
  public static final String LOG_LEVEL = "VGPU_LOG_LEVEL";
  /** The region libvgpu uses when {@link #LOCAL_SHM_PATH} is unset. */
  public static final String DEFAULT_LOCAL_SHM_PATH = "/tmp/vnpu.cache";

  private NpuEnv() {}

  /** libvgpu's per-device variant of {@code name} for the container's logical device {@code i}, e.g. {@code _1}. */
  public static String perDevice(String name, int i) {
    return name + "_" + i;
  }
}
