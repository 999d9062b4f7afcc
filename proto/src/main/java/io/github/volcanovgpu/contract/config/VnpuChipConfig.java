package io.github.volcanovgpu.contract.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One Ascend chip of {@code vnpus.configs[]} in {@code device-config.yaml}, with HAMi's and Volcano's keys
 * ({@code chipName, commonWord, resourceName, resourceMemoryName, resourceCoreName, memoryAllocatable,
 * memoryCapacity, aiCore, aiCPU, templates}) plus {@code superPod} (910C module pairs). Templates are kept sorted by
 * memory, as both peers sort them before use.
 *
 * @param chipName the chip as the driver names it, e.g. {@code 910C}; one of {@link #KNOWN_CHIPS}
 * @param commonWord the device kind's name, e.g. {@code Ascend910C}: annotation keys are built from it
 * @param resourceName the count resource, e.g. {@code huawei.com/Ascend910C}
 * @param resourceMemoryName memory per NPU in MiB, e.g. {@code huawei.com/Ascend910C-memory}
 * @param resourceCoreName % of an NPU's compute (hami-core mode only); default {@code <resourceName>-core}
 * @param memoryAllocatableMib what a whole-card request is given (template mode)
 * @param memoryCapacityMib the card's memory; requests above it never fit
 * @param superPod 910C SuperPod: NPUs are handed out in module pairs (a request of 1 becomes 2)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record VnpuChipConfig(
    String chipName,
    String commonWord,
    String resourceName,
    String resourceMemoryName,
    String resourceCoreName,
    long memoryAllocatableMib,
    long memoryCapacityMib,
    int aiCore,
    int aiCpu,
    boolean superPod,
    List<VnpuTemplate> templates) {
  /**
   * The chips HAMi and Volcano v1.16 know, by {@code chipName} as DCMI reports it ({@code Ascend910} is how DCMI
   * names a 910C die, HAMi's chart uses it; {@code 910C} and {@code 310P} are accepted spellings).
   */
  public static final List<String> KNOWN_CHIPS =
      List.of("910A", "910B2", "910B3", "910B4", "910B4-1", "910C", "Ascend910", "310P3", "310P");

  public VnpuChipConfig {
    Objects.requireNonNull(chipName, "chipName");
    Objects.requireNonNull(commonWord, "commonWord");
    Objects.requireNonNull(resourceName, "resourceName");
    Objects.requireNonNull(resourceMemoryName, "resourceMemoryName");
    Objects.requireNonNull(resourceCoreName, "resourceCoreName");
    List<VnpuTemplate> sorted = new ArrayList<>(templates);
    sorted.sort(Comparator.comparingLong(VnpuTemplate::memoryMib));
    templates = List.copyOf(sorted);
  }

  @JsonCreator
  static VnpuChipConfig create(
      @JsonProperty("chipName") @Nullable String chipName,
      @JsonProperty("commonWord") @Nullable String commonWord,
      @JsonProperty("resourceName") @Nullable String resourceName,
      @JsonProperty("resourceMemoryName") @Nullable String resourceMemoryName,
      @JsonProperty("resourceCoreName") @Nullable String resourceCoreName,
      @JsonProperty("memoryAllocatable") @Nullable Long memoryAllocatable,
      @JsonProperty("memoryCapacity") @Nullable Long memoryCapacity,
      @JsonProperty("aiCore") @Nullable Integer aiCore,
      @JsonProperty("aiCPU") @Nullable Integer aiCpu,
      @JsonProperty("superPod") @Nullable Boolean superPod,
      @JsonProperty("templates") @Nullable List<VnpuTemplate> templates) {
    String resource = resourceName == null ? "" : resourceName;
    return new VnpuChipConfig(
        chipName == null ? "" : chipName,
        commonWord == null ? "" : commonWord,
        resource,
        resourceMemoryName == null ? "" : resourceMemoryName,
        resourceCoreName == null || resourceCoreName.isEmpty() ? (resource.isEmpty() ? "" : resource + "-core")
            : resourceCoreName,
        memoryAllocatable == null ? 0 : memoryAllocatable,
        memoryCapacity == null ? 0 : memoryCapacity,
        aiCore == null ? 0 : aiCore,
        aiCpu == null ? 0 : aiCpu,
        superPod != null && superPod,
        templates == null ? List.of() : templates);
  }

  /**
   * Template mode: the smallest template holding {@code memoryMib}, else the whole card ({@code memoryAllocatable},
   * no template name) when the card holds it; empty when even the card is too small. As both peers' trimMemory.
   */
  public Optional<TrimmedMemory> trim(long memoryMib) {
    for (VnpuTemplate t : templates) {
      if (memoryMib <= t.memoryMib()) {
        return Optional.of(new TrimmedMemory(t.memoryMib(), t.name()));
      }
    }
    if (memoryMib <= memoryCapacityMib) {
      return Optional.of(new TrimmedMemory(memoryAllocatableMib, ""));
    }
    return Optional.empty();
  }

  /** A 910C (the chip with module pairs), as HAMi decides it: by commonWord. */
  public boolean isAscend910C() {
    return commonWord.equals("Ascend910C");
  }

  /** The template of that name, if the chip has one. */
  public Optional<VnpuTemplate> template(String name) {
    return templates.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** A template-mode memory: the template's (or the whole card's) MiB and the template name, empty for a card. */
  public record TrimmedMemory(long memoryMib, String template) {}

  /** Every problem with this entry, each naming {@code where} (e.g. {@code vnpus.configs[2]}). */
  List<String> problems(String where) {
    List<String> p = new ArrayList<>();
    if (!KNOWN_CHIPS.contains(chipName)) {
      p.add(where + ".chipName: unknown Ascend chip \"" + chipName + "\" (known: " + String.join(", ", KNOWN_CHIPS)
          + ")");
    }
    if (commonWord.isBlank() || !commonWord.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      p.add(where + ".commonWord must be a non-empty name of letters, digits, '.', '_' or '-', got \"" + commonWord
          + "\"");
    }
    for (String[] named : new String[][] {{"resourceName", resourceName}, {"resourceMemoryName", resourceMemoryName},
        {"resourceCoreName", resourceCoreName}}) {
      if (!named[1].matches("[A-Za-z0-9.-]+/[A-Za-z0-9._-]+")) {
        p.add(where + "." + named[0] + " must be an extended resource name like huawei.com/Ascend910C, got \""
            + named[1] + "\"");
      }
    }
    if (memoryCapacityMib <= 0) {
      p.add(where + ".memoryCapacity must be > 0 MiB, got " + memoryCapacityMib);
    }
    if (memoryAllocatableMib <= 0 || memoryAllocatableMib > memoryCapacityMib) {
      p.add(where + ".memoryAllocatable must be within 1.." + memoryCapacityMib + " MiB, got "
          + memoryAllocatableMib);
    }
    for (int i = 0; i < templates.size(); i++) {
      VnpuTemplate t = templates.get(i);
      if (t.name().isBlank() || t.name().contains(",") || t.name().contains("\"")) {
        p.add(where + ".templates: a template needs a name without ',' or '\"', got \"" + t.name() + "\"");
      }
      if (t.memoryMib() <= 0 || t.memoryMib() > memoryCapacityMib) {
        p.add(where + ".templates." + t.name() + ".memory must be within 1.." + memoryCapacityMib + " MiB, got "
            + t.memoryMib());
      }
    }
    if (superPod && !isAscend910C()) {
      p.add(where + ".superPod: module pairs exist only on 910C (commonWord Ascend910C), not on " + commonWord);
    }
    return p;
  }
}
