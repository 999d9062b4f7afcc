package io.github.volcanovgpu.cdi;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A CDI spec file ({@code specs-go/config.go} {@code Spec}). Structural values only; the CDI rules (names, version,
 * duplicates, empty edits) are checked by {@link CdiValidator}, so a spec read from a bad file can still be reported.
 *
 * @param cdiVersion the declared spec version, e.g. {@code 0.5.0}
 * @param kind {@code vendor/class}
 * @param annotations spec annotations (0.6.0)
 * @param devices at least one device in a valid spec
 * @param containerEdits edits applied when any device of this spec is requested; empty edits when none
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"cdiVersion", "kind", "annotations", "devices", "containerEdits"})
public record CdiSpec(String cdiVersion, String kind, Map<String, String> annotations, List<CdiDevice> devices,
    @JsonInclude(value = JsonInclude.Include.CUSTOM,
        valueFilter = ContainerEdits.EmptyFilter.class) ContainerEdits containerEdits) {
  public CdiSpec(@Nullable String cdiVersion, @Nullable String kind, @Nullable Map<String, String> annotations,
      @Nullable List<CdiDevice> devices, @Nullable ContainerEdits containerEdits) {
    this.cdiVersion = cdiVersion == null ? "" : cdiVersion;
    this.kind = kind == null ? "" : kind;
    this.annotations = Copies.map(annotations);
    this.devices = Copies.list(devices);
    this.containerEdits = containerEdits == null ? ContainerEdits.EMPTY : containerEdits;
  }

  /** A spec of {@code kind} with {@code devices} and spec-wide {@code edits}, at the minimum version it needs. */
  public static CdiSpec of(String kind, List<CdiDevice> devices, ContainerEdits edits) {
    CdiSpec draft = new CdiSpec(SpecVersion.EARLIEST.toString(), kind, Map.of(), devices, edits);
    return draft.withVersion(SpecVersion.minimumRequired(draft));
  }

  public CdiSpec withVersion(SpecVersion version) {
    return new CdiSpec(version.toString(), kind, annotations, devices, containerEdits);
  }

  public CdiSpec withAnnotations(Map<String, String> values) {
    CdiSpec next = new CdiSpec(cdiVersion, kind, values, devices, containerEdits);
    return next.withVersion(SpecVersion.max(SpecVersion.parseLenient(cdiVersion), SpecVersion.minimumRequired(next)));
  }

  /** The device named {@code name}, or null. */
  public @Nullable CdiDevice device(String name) {
    Objects.requireNonNull(name, "name");
    for (CdiDevice d : devices) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return null;
  }

  /** The names of the devices, in order. */
  public List<String> deviceNames() {
    return devices.stream().map(CdiDevice::name).toList();
  }
}
