package io.github.volcanovgpu.plugin.cdi;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How the devices of an Allocate reach the container runtime, as NVIDIA's {@code --device-list-strategy}
 * ({@code api/config/v1/consts.go}); combinable.
 */
public enum DeviceListStrategy {
  /** {@code NVIDIA_VISIBLE_DEVICES=<uuids>} for the NVIDIA container runtime (the default). */
  ENVVAR("envvar"),
  /** {@code /dev/null} mounted at {@code /var/run/nvidia-container-devices/<uuid>} per device. */
  VOLUME_MOUNTS("volume-mounts"),
  /** {@code cdi.k8s.io/...} annotations on the container ({@code ContainerAllocateResponse.annotations}). */
  CDI_ANNOTATIONS("cdi-annotations"),
  /** {@code ContainerAllocateResponse.cdi_devices}, forwarded by the kubelet in the CRI (KEP-4009). */
  CDI_CRI("cdi-cri");

  private final String flag;

  DeviceListStrategy(String flag) {
    this.flag = flag;
  }

  public String flag() {
    return flag;
  }

  public boolean isCdi() {
    return this == CDI_ANNOTATIONS || this == CDI_CRI;
  }

  /** A comma list such as {@code envvar,cdi-cri}; unknown or no values are an error naming the valid ones. */
  public static Set<DeviceListStrategy> parseList(String value) {
    EnumSet<DeviceListStrategy> out = EnumSet.noneOf(DeviceListStrategy.class);
    for (String part : value.split(",", -1)) {
      String p = part.trim().toLowerCase(Locale.ROOT);
      if (p.isEmpty()) {
        continue;
      }
      DeviceListStrategy found = Arrays.stream(values()).filter(s -> s.flag.equals(p)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("unknown device list strategy \"" + part.trim()
              + "\" in \"" + value + "\" (valid: " + Arrays.stream(values()).map(DeviceListStrategy::flag)
                  .collect(Collectors.joining(", "))
              + ")"));
      out.add(found);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no device list strategy in \"" + value + "\" (valid: envvar, "
          + "volume-mounts, cdi-annotations, cdi-cri)");
    }
    return out;
  }
}
