package io.github.volcanovgpu.cdi;

import java.util.List;

/**
 * The released CDI spec versions and the minimum one a spec needs, as {@code specs-go/version.go}
 * {@code MinimumRequiredVersion} computes it: the highest version whose feature the spec uses, never below
 * {@link #EARLIEST}.
 */
public enum SpecVersion {
  V0_1_0("0.1.0"),
  V0_2_0("0.2.0"),
  V0_3_0("0.3.0"),
  V0_4_0("0.4.0"),
  V0_5_0("0.5.0"),
  V0_6_0("0.6.0"),
  V0_7_0("0.7.0"),
  V0_8_0("0.8.0"),
  V1_0_0("1.0.0"),
  V1_1_0("1.1.0");

  /** The earliest version still accepted ({@code vEarliest}). */
  public static final SpecVersion EARLIEST = V0_3_0;
  /** The current spec version. */
  public static final SpecVersion CURRENT = V1_1_0;

  private final String text;

  SpecVersion(String text) {
    this.text = text;
  }

  @Override
  public String toString() {
    return text;
  }

  /** {@code 0.5.0} or {@code v0.5.0}; anything else is an "invalid version" error naming the known ones. */
  public static SpecVersion parse(String version) {
    String v = version.startsWith("v") ? version.substring(1) : version;
    for (SpecVersion s : values()) {
      if (s.text.equals(v)) {
        return s;
      }
    }
    throw new CdiException("invalid version \"" + version + "\": not one of " + List.of(values()));
  }

  /** Like {@link #parse} but {@link #EARLIEST} for an unknown version (for recomputing after edits). */
  static SpecVersion parseLenient(String version) {
    try {
      return parse(version);
    } catch (CdiException e) {
      return EARLIEST;
    }
  }

  public static SpecVersion max(SpecVersion a, SpecVersion b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** The lowest version whose features cover everything {@code spec} uses. */
  public static SpecVersion minimumRequired(CdiSpec spec) {
    if (requiresV110(spec)) {
      return V1_1_0;
    }
    // 1.0.0 and 0.8.0 add no schema feature ("never required")
    if (requiresV070(spec)) {
      return V0_7_0;
    }
    if (requiresV060(spec)) {
      return V0_6_0;
    }
    if (requiresV050(spec)) {
      return V0_5_0;
    }
    if (requiresV040(spec)) {
      return V0_4_0;
    }
    return EARLIEST;
  }

  private static List<ContainerEdits> allEdits(CdiSpec spec) {
    List<ContainerEdits> edits = new java.util.ArrayList<>();
    edits.add(spec.containerEdits());
    for (CdiDevice d : spec.devices()) {
      edits.add(d.containerEdits());
    }
    return edits;
  }

  /** netDevices, or the RDT fields added in 1.1.0 (schemata, enableMonitoring). */
  private static boolean requiresV110(CdiSpec spec) {
    for (ContainerEdits e : allEdits(spec)) {
      if (!e.netDevices().isEmpty()) {
        return true;
      }
      IntelRdt rdt = e.intelRdt();
      if (rdt != null && (!rdt.schemata().isEmpty() || rdt.monitoring())) {
        return true;
      }
    }
    return false;
  }

  /** intelRdt or additionalGids. */
  private static boolean requiresV070(CdiSpec spec) {
    for (ContainerEdits e : allEdits(spec)) {
      if (e.intelRdt() != null || !e.additionalGids().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** Spec or device annotations, or a dot in the class of the kind. */
  private static boolean requiresV060(CdiSpec spec) {
    if (!spec.annotations().isEmpty()) {
      return true;
    }
    for (CdiDevice d : spec.devices()) {
      if (!d.annotations().isEmpty()) {
        return true;
      }
    }
    int slash = spec.kind().indexOf('/');
    return slash >= 0 && spec.kind().indexOf('.', slash + 1) >= 0;
  }

  /** A device name starting with a digit, or any device node with a hostPath. */
  private static boolean requiresV050(CdiSpec spec) {
    for (CdiDevice d : spec.devices()) {
      if (!d.name().isEmpty() && Character.isDigit(d.name().charAt(0)) && d.name().charAt(0) < 128) {
        return true;
      }
    }
    for (ContainerEdits e : allEdits(spec)) {
      for (DeviceNode n : e.deviceNodes()) {
        if (n.hostPath() != null && !n.hostPath().isEmpty()) {
          return true;
        }
      }
    }
    return false;
  }

  /** A mount with a type. */
  private static boolean requiresV040(CdiSpec spec) {
    for (ContainerEdits e : allEdits(spec)) {
      for (CdiMount m : e.mounts()) {
        if (m.type() != null && !m.type().isEmpty()) {
          return true;
        }
      }
    }
    return false;
  }
}
