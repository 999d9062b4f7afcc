package io.github.volcanovgpu.mig.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A MIG-capable GPU model and its profiles.
 *
 * @param name canonical model name, e.g. {@code A100-40GB}
 * @param nameMatches substrings of the NVML device name that identify the model, e.g. {@code A100-SXM4-40GB}
 * @param pciDeviceIds PCI ids in mig-parted's {@code device-filter} form ({@code 0x20B010DE})
 * @param memorySlices memory slices of the whole GPU
 * @param computeSlices SM slices of the whole GPU
 * @param profiles the GPU-instance profiles, full-GI compute instances only
 */
public record GpuModel(
    String name, List<String> nameMatches, List<String> pciDeviceIds, int memorySlices, int computeSlices,
    List<MigProfile> profiles) {
  public GpuModel {
    Objects.requireNonNull(name, "name");
    nameMatches = List.copyOf(nameMatches);
    pciDeviceIds = List.copyOf(pciDeviceIds);
    profiles = List.copyOf(profiles);
    if (memorySlices < 1 || computeSlices < 1) {
      throw new IllegalArgumentException("model " + name + ": slices must be >= 1");
    }
    for (MigProfile p : profiles) {
      for (int s : p.starts()) {
        if (s < 0 || s + p.memorySlices() > memorySlices) {
          throw new IllegalArgumentException(
              "model " + name + ": profile " + p.name() + " placement " + s + ":" + p.memorySlices()
                  + " is outside " + memorySlices + " memory slices");
        }
      }
    }
  }

  /** The profile called {@code name}, matched exactly. */
  public Optional<MigProfile> profile(String profileName) {
    for (MigProfile p : profiles) {
      if (p.name().equals(profileName)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** The profile names, in catalogue order. */
  public List<String> profileNames() {
    List<String> out = new ArrayList<>(profiles.size());
    for (MigProfile p : profiles) {
      out.add(p.name());
    }
    return out;
  }

  /** True when the NVML device name or the PCI id identifies this model. */
  public boolean matches(String deviceName, String pciDeviceId) {
    for (String id : pciDeviceIds) {
      if (id.equalsIgnoreCase(pciDeviceId)) {
        return true;
      }
    }
    String upper = deviceName.toUpperCase(Locale.ROOT);
    for (String m : nameMatches) {
      if (upper.contains(m.toUpperCase(Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }
}
