package io.github.volcanovgpu.contract.env;

/**
 * The environment a CUDA container gets from the device plugin for libvgpu (HAMi-core's names; the C side defines
 * them in {@code libvgpu-native/include/vgpu/core.h} as {@code VGPU_ENV_*}, checked against this class by a test).
 * One place for these names: the device plugin's Allocate, the simulator's limit check and the e2e probe use it.
 */
public final class CudaEnv {
  /** Memory limit of CUDA device {@code i}: {@link #memoryLimit(int)}, value {@code <MiB>m}. */
  public static final String MEMORY_LIMIT = "CUDA_DEVICE_MEMORY_LIMIT";
  /** SM share in percent (0 and 100: none). */
  public static final String SM_LIMIT = "CUDA_DEVICE_SM_LIMIT";
  /** The container's shared accounting file. */
  public static final String SHARED_CACHE = "CUDA_DEVICE_MEMORY_SHARED_CACHE";
  /** {@code default}, {@code force} or {@code disable}. */
  public static final String CORE_POLICY = "GPU_CORE_UTILIZATION_POLICY";
  /** 0 = high, 1 = low. */
  public static final String PRIORITY = "CUDA_TASK_PRIORITY";
  /** libvgpu's log level (0..4). */
  public static final String LOG_LEVEL = "LIBCUDA_LOG_LEVEL";
  /** {@code true}: managed memory may page to the host and is not charged. */
  public static final String OVERSUBSCRIBE = "CUDA_OVERSUBSCRIBE";

  private CudaEnv() {}

  /** {@code CUDA_DEVICE_MEMORY_LIMIT_<i>}. */
  public static String memoryLimit(int device) {
    return MEMORY_LIMIT + "_" + device;
  }
}
