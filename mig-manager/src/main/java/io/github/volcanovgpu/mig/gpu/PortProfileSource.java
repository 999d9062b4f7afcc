package io.github.volcanovgpu.mig.gpu;

import io.github.volcanovgpu.mig.profile.GpuModel;
import io.github.volcanovgpu.mig.profile.MigProfile;
import io.github.volcanovgpu.mig.profile.ProfileCatalogue;
import io.github.volcanovgpu.mig.profile.ProfileSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Profiles as the {@link MigDevicePort} reports them at run time (NVML), shaped as the catalogue's model (name,
 * slices); empty when the port reports none, so {@link io.github.volcanovgpu.mig.profile.PreferRuntimeProfileSource}
 * falls back to the catalogue.
 */
public final class PortProfileSource implements ProfileSource {
  private final MigDevicePort port;
  private final ProfileCatalogue catalogue;

  public PortProfileSource(MigDevicePort port, ProfileCatalogue catalogue) {
    this.port = Objects.requireNonNull(port, "port");
    this.catalogue = Objects.requireNonNull(catalogue, "catalogue");
  }

  @Override
  public Optional<GpuModel> model(int gpuIndex, String deviceName, String pciDeviceId) {
    Optional<GpuModel> known = catalogue.model(gpuIndex, deviceName, pciDeviceId);
    if (known.isEmpty()) {
      return Optional.empty();
    }
    List<MigProfile> profiles;
    try {
      profiles = port.profiles(gpuIndex);
    } catch (MigPortException e) {
      return Optional.empty();
    }
    if (profiles.isEmpty()) {
      return Optional.empty();
    }
    GpuModel m = known.get();
    try {
      return Optional.of(new GpuModel(m.name(), m.nameMatches(), m.pciDeviceIds(), m.memorySlices(),
          m.computeSlices(), profiles));
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // NVML's placements do not fit the catalogue's slice count: use the catalogue
    }
  }
}
