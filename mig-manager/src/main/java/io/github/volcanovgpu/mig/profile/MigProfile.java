package io.github.volcanovgpu.mig.profile;

import java.util.List;
import java.util.Objects;

/**
 * A GPU-instance profile of one GPU model, e.g. {@code 3g.20gb} on an A100-40GB.
 *
 * @param name mig-parted / nvidia-smi name ({@code <g>g.<mem>gb[+me]})
 * @param nvmlIndex the NVML profile index constant ({@code NVML_GPU_INSTANCE_PROFILE_*}), input to
 *     {@code nvmlDeviceGetGpuInstanceProfileInfo}
 * @param computeSlices SM slices (the {@code g} number)
 * @param memorySlices memory slices = placement size
 * @param maxInstances instances of this profile one GPU can hold
 * @param memoryMib memory of one instance as NVML reports it (catalogue values are the reference captures)
 * @param starts valid placement starts in memory-slice units
 */
public record MigProfile(
    String name, int nvmlIndex, int computeSlices, int memorySlices, int maxInstances, long memoryMib,
    List<Integer> starts) {
  public MigProfile {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("profile name must not be empty");
    }
    if (computeSlices < 1 || memorySlices < 1 || maxInstances < 1) {
      throw new IllegalArgumentException("profile " + name + ": slices and max instances must be >= 1");
    }
    starts = List.copyOf(starts);
    if (starts.isEmpty()) {
      throw new IllegalArgumentException("profile " + name + " has no valid placement");
    }
  }

  /** True when {@code start} is one of this profile's valid placements. */
  public boolean validStart(int start) {
    return starts.contains(start);
  }
}
