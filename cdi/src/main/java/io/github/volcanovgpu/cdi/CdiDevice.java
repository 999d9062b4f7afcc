package io.github.volcanovgpu.cdi;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One device of a spec ({@code Device}): requested as {@code vendor/class=name}.
 *
 * @param name the device name ({@link QualifiedName#validateDeviceName})
 * @param annotations device annotations (0.6.0)
 * @param containerEdits the edits when this device is requested; must not be empty in a valid spec
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"name", "annotations", "containerEdits"})
public record CdiDevice(String name, Map<String, String> annotations, ContainerEdits containerEdits) {
  public CdiDevice(@Nullable String name, @Nullable Map<String, String> annotations,
      @Nullable ContainerEdits containerEdits) {
    this.name = name == null ? "" : name;
    this.annotations = Copies.map(annotations);
    this.containerEdits = containerEdits == null ? ContainerEdits.EMPTY : containerEdits;
  }

  public CdiDevice(String name, ContainerEdits containerEdits) {
    this(name, Map.of(), containerEdits);
  }
}
