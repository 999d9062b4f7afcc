package io.github.volcanovgpu.mig.gpu;

import java.util.List;
import java.util.Objects;

/**
 * An existing GPU instance.
 *
 * @param id GI id on its GPU
 * @param profile profile name, e.g. {@code 3g.20gb}
 * @param start placement start (memory slices)
 * @param size placement size (memory slices)
 * @param computeInstances ids of its compute instances
 */
public record GpuInstance(int id, String profile, int start, int size, List<Integer> computeInstances) {
  public GpuInstance {
    Objects.requireNonNull(profile, "profile");
    computeInstances = List.copyOf(computeInstances);
  }
}
