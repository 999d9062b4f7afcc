package io.github.volcanovgpu.mig.gpu;

import java.util.Objects;

/**
 * A MIG device (a compute instance as CUDA sees it).
 *
 * @param uuid {@code MIG-...}
 * @param gpuInstanceId parent GI id
 * @param computeInstanceId CI id
 * @param profile GI profile name
 * @param start GI placement start
 */
public record MigDevice(String uuid, int gpuInstanceId, int computeInstanceId, String profile, int start) {
  public MigDevice {
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(profile, "profile");
  }
}
