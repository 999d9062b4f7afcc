package io.github.volcanovgpu.cdi.nvidia;

import io.github.volcanovgpu.cdi.CdiMount;
import io.github.volcanovgpu.cdi.QualifiedName;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One scheduled vGPU slice set: what one container was given, as a CDI device that carries the libvgpu environment
 * (memory and SM limits, shared cache) and mounts (libvgpu.so, ld.so.preload, cache and lock directories), so a CDI
 * runtime injects the enforcement along with the device. The cards themselves are separate devices of the GPU spec.
 *
 * @param name the CDI device name, e.g. {@code vgpu-<podUID>_<container>}
 * @param env the libvgpu variables, in order
 * @param mounts the libvgpu mounts
 */
public record VgpuSlice(String name, Map<String, String> env, List<CdiMount> mounts) {
  public VgpuSlice {
    Objects.requireNonNull(name, "name");
    QualifiedName.validateDeviceName(name);
    env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
    mounts = List.copyOf(mounts);
    for (String k : env.keySet()) {
      if (k.isEmpty() || k.contains("=")) {
        throw new IllegalArgumentException("slice " + name + ": invalid environment variable name \"" + k + "\"");
      }
    }
    if (env.isEmpty() && mounts.isEmpty()) {
      throw new IllegalArgumentException("slice " + name + ": no environment and no mounts (empty CDI edits)");
    }
  }
}
