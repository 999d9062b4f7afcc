package io.github.volcanovgpu.cdi;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The CDI rules a spec must follow to be loaded by a runtime ({@code pkg/cdi/spec.go}, {@code device.go},
 * {@code container-edits.go}, {@code specs-go/version.go}): known version not lower than its contents need, valid
 * kind and device names, at least one device, no duplicate device names, no device without edits, and valid edits.
 * Every problem is reported, each naming where it is.
 */
public final class CdiValidator {
  private static final long UINT32_MAX = 0xFFFF_FFFFL;

  private CdiValidator() {}

  /** Throws a {@link CdiException} listing every problem of {@code spec}; returns it when valid. */
  public static CdiSpec validate(CdiSpec spec) {
    List<String> problems = problems(spec);
    if (!problems.isEmpty()) {
      throw new CdiException("invalid CDI spec" + (spec.kind().isEmpty() ? "" : " " + spec.kind()) + ": "
          + String.join("; ", problems));
    }
    return spec;
  }

  /** Every problem of {@code spec}, empty when it is valid. */
  public static List<String> problems(CdiSpec spec) {
    List<String> out = new ArrayList<>();
    if (spec.cdiVersion().isEmpty()) {
      out.add("cdiVersion is missing");
    } else {
      try {
        SpecVersion declared = SpecVersion.parse(spec.cdiVersion());
        SpecVersion needed = SpecVersion.minimumRequired(spec);
        if (declared.compareTo(needed) < 0) {
          out.add("cdiVersion " + spec.cdiVersion() + " is lower than " + needed + ", which its contents need");
        }
      } catch (CdiException e) {
        out.add(e.getMessage());
      }
    }
    if (spec.kind().isEmpty()) {
      out.add("kind is missing");
    } else {
      try {
        Kind.parse(spec.kind());
      } catch (CdiException e) {
        out.add(e.getMessage());
      }
    }
    if (spec.devices().isEmpty()) {
      out.add("no devices");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < spec.devices().size(); i++) {
      CdiDevice d = spec.devices().get(i);
      String where = "devices[" + i + "]" + (d.name().isEmpty() ? "" : " (" + d.name() + ")");
      try {
        QualifiedName.validateDeviceName(d.name());
      } catch (CdiException e) {
        out.add(where + ": " + e.getMessage());
      }
      if (!d.name().isEmpty() && !names.add(d.name())) {
        out.add(where + ": duplicate device name \"" + d.name() + "\"");
      }
      if (d.containerEdits().isEmpty()) {
        out.add(where + ": invalid device, empty device edits");
      }
      edits(where + ".containerEdits", d.containerEdits(), out);
    }
    edits("containerEdits", spec.containerEdits(), out);
    return out;
  }

  private static void edits(String where, ContainerEdits e, List<String> out) {
    for (int i = 0; i < e.env().size(); i++) {
      env(where + ".env[" + i + "]", e.env().get(i), out);
    }
    for (int i = 0; i < e.deviceNodes().size(); i++) {
      DeviceNode n = e.deviceNodes().get(i);
      String at = where + ".deviceNodes[" + i + "]";
      if (n.path().isEmpty()) {
        out.add(at + ": invalid (empty) device path");
      }
      if (n.type() != null && !Set.of("", "b", "c", "u", "p").contains(n.type())) {
        out.add(at + ": invalid device type \"" + n.type() + "\" (b, c, u or p)");
      }
      if (n.permissions() != null && !n.permissions().chars().allMatch(c -> c == 'r' || c == 'w' || c == 'm')) {
        out.add(at + ": invalid permissions \"" + n.permissions() + "\" (a combination of r, w, m)");
      }
      uint32(at + ".uid", n.uid(), out);
      uint32(at + ".gid", n.gid(), out);
    }
    Set<String> hostNames = new HashSet<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < e.netDevices().size(); i++) {
      NetDevice d = e.netDevices().get(i);
      String at = where + ".netDevices[" + i + "]";
      if (d.hostInterfaceName().isEmpty() || d.name().isEmpty()) {
        out.add(at + ": hostInterfaceName and name are required");
      }
      if (!d.hostInterfaceName().isEmpty() && !hostNames.add(d.hostInterfaceName())) {
        out.add(at + ": duplicate hostInterfaceName \"" + d.hostInterfaceName() + "\"");
      }
      if (!d.name().isEmpty() && !names.add(d.name())) {
        out.add(at + ": duplicate name \"" + d.name() + "\"");
      }
    }
    for (int i = 0; i < e.hooks().size(); i++) {
      Hook h = e.hooks().get(i);
      String at = where + ".hooks[" + i + "]";
      if (!Hook.NAMES.contains(h.hookName())) {
        out.add(at + ": invalid hook name \"" + h.hookName() + "\" (one of " + Hook.NAMES.stream().sorted().toList()
            + ")");
      }
      if (h.path().isEmpty()) {
        out.add(at + ": invalid hook, empty path");
      }
      for (int j = 0; j < h.env().size(); j++) {
        env(at + ".env[" + j + "]", h.env().get(j), out);
      }
      if (h.timeout() != null && h.timeout() <= 0) {
        out.add(at + ": invalid timeout " + h.timeout() + " (must be > 0)");
      }
    }
    for (int i = 0; i < e.mounts().size(); i++) {
      CdiMount m = e.mounts().get(i);
      String at = where + ".mounts[" + i + "]";
      if (m.hostPath().isEmpty()) {
        out.add(at + ": invalid mount, empty host path");
      }
      if (m.containerPath().isEmpty()) {
        out.add(at + ": invalid mount, empty container path");
      }
    }
    for (int i = 0; i < e.additionalGids().size(); i++) {
      uint32(where + ".additionalGids[" + i + "]", e.additionalGids().get(i), out);
    }
  }

  private static void env(String at, String entry, List<String> out) {
    int eq = entry.indexOf('=');
    if (eq <= 0) {
      out.add(at + ": invalid environment variable \"" + entry + "\" (expected NAME=VALUE)");
    }
  }

  private static void uint32(String at, @Nullable Long value, List<String> out) {
    if (value != null && (value < 0 || value > UINT32_MAX)) {
      out.add(at + ": " + value + " is not a uint32");
    }
  }
}
