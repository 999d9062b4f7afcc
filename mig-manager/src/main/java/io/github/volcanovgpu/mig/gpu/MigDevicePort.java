package io.github.volcanovgpu.mig.gpu;

import io.github.volcanovgpu.mig.profile.MigProfile;
import java.util.List;

/**
 * The MIG operations of NVML the manager needs (reference deviceplugin-cdi-mig.md §5.2, §5.5), GPUs addressed by
 * NVML index. Implementations: {@link NvmlMigDevicePort} (JNA, libnvidia-ml loaded at run time) and
 * {@link FakeMigGpus} (in memory). Failures throw {@link MigPortException}.
 */
public interface MigDevicePort {
  List<GpuInfo> gpus();

  MigMode migMode(int gpu);

  /** Requests MIG on/off; may leave the change pending until a GPU reset. */
  void setMigMode(int gpu, boolean enabled);

  /** The GPU-instance profiles NVML reports for this GPU (with placements); empty when it reports none. */
  List<MigProfile> profiles(int gpu);

  List<GpuInstance> gpuInstances(int gpu);

  /** Creates a GI of {@code profile} at exactly {@code start}. */
  GpuInstance createGpuInstance(int gpu, MigProfile profile, int start);

  /** Creates the full-size compute instance of GI {@code gpuInstanceId}; returns its CI id. */
  int createComputeInstance(int gpu, int gpuInstanceId);

  void destroyComputeInstance(int gpu, int gpuInstanceId, int computeInstanceId);

  void destroyGpuInstance(int gpu, int gpuInstanceId);

  /** The MIG devices of this GPU (one per CI). */
  List<MigDevice> migDevices(int gpu);

  /** True when any process runs on this GPU or one of its MIG devices (reconfiguring would kill it). */
  boolean hasRunningClients(int gpu);
}
