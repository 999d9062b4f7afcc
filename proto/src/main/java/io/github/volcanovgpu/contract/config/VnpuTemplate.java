package io.github.volcanovgpu.contract.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One hard-split vNPU template of an Ascend chip ({@code vnpus.configs[].templates[]}), e.g. {@code vir05_1c_16g}:
 * 16384 MiB, 5 AI cores, 1 AI CPU.
 *
 * @param memoryMib device memory of the vNPU
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record VnpuTemplate(String name, long memoryMib, int aiCore, int aiCpu) {
  public VnpuTemplate {
    Objects.requireNonNull(name, "name");
  }

  @JsonCreator
  static VnpuTemplate create(
      @JsonProperty("name") @Nullable String name,
      @JsonProperty("memory") @Nullable Long memory,
      @JsonProperty("aiCore") @Nullable Integer aiCore,
      @JsonProperty("aiCPU") @Nullable Integer aiCpu) {
    return new VnpuTemplate(name == null ? "" : name, memory == null ? 0 : memory, aiCore == null ? 0 : aiCore,
        aiCpu == null ? 0 : aiCpu);
  }
}
