package io.github.volcanovgpu.contract.env;

/**
 * The environment a CUDA container gets from the device plugin for libvgpu's CUDA front end, HAMi-core's names
 * ({@code libvgpu-native/include/vgpu/core.h}: {@code VGPU_ENV_*}, checked against this class by a test). One place
 * for these names on the Java side: the device plugin's Allocate answer and the simulator's enforced-limit check
 * write them. The limits file ({@link LimitsFile}) carries the same limits and wins over them.
 */
public final class CudaEnv {
  /** Device memory limit of the container's logical device {@code i} ({@link #perDevice}), e.g. {@code 3000m}. */
  public static final String MEMORY_LIMIT = "CUDA_DEVICE_MEMORY_LIMIT";
  /** SM (compute) limit in percent, for every device; libvgpu also reads a per-device {@code _<i>} variant. */
  public static final String SM_LIMIT = "CUDA_DEVICE_SM_LIMIT";
  /** The container's accounting region (shared-cache file). */
  public static final String SHARED_CACHE = "CUDA_DEVICE_MEMORY_SHARED_CACHE";
  /** {@code default}, {@code force} or {@code disable}. */
  public static final String CORE_POLICY = "GPU_CORE_UTILIZATION_POLICY";
  /** The container's priority, 0 = high. */
  public static final String PRIORITY = "CUDA_TASK_PRIORITY";
  /** libvgpu's log level for the CUDA front end. */
  public static final String LOG_LEVEL = "LIBCUDA_LOG_LEVEL";
  /** {@code true}: allocations past the limit spill to host memory instead of failing. */
  public static final String OVERSUBSCRIBE = "CUDA_OVERSUBSCRIBE";
  /** The region libvgpu uses when {@link #SHARED_CACHE} is unset. */
  public static final String DEFAULT_SHARED_CACHE = "/tmp/cudevshr.cache";

  private CudaEnv() {}

  /** The per-device variant of {@code name} for the container's logical device {@code i}, e.g. {@code _1}. */
  public static String perDevice(String name, int i) {
    return name + "_" + i;
  }
}
