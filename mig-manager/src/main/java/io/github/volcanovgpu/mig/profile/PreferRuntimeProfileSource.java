package io.github.volcanovgpu.mig.profile;

import java.util.Objects;
import java.util.Optional;

/** Profiles read from NVML at run time when it has them, the built-in catalogue otherwise. */
public final class PreferRuntimeProfileSource implements ProfileSource {
  private final ProfileSource runtime;
  private final ProfileSource fallback;

  public PreferRuntimeProfileSource(ProfileSource runtime, ProfileSource fallback) {
    this.runtime = Objects.requireNonNull(runtime, "runtime");
    this.fallback = Objects.requireNonNull(fallback, "fallback");
  }

  @Override
  public Optional<GpuModel> model(int gpuIndex, String deviceName, String pciDeviceId) {
    Optional<GpuModel> m = runtime.model(gpuIndex, deviceName, pciDeviceId);
    return m.isPresent() && !m.get().profiles().isEmpty() ? m : fallback.model(gpuIndex, deviceName, pciDeviceId);
  }
}
