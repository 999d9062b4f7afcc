package io.github.volcanovgpu.cdi;

import org.jspecify.annotations.Nullable;

/**
 * A host network interface moved into the container ({@code LinuxNetDevice}, 1.1.0).
 *
 * @param hostInterfaceName interface on the host
 * @param name its name in the container
 */
public record NetDevice(String hostInterfaceName, String name) {
  public NetDevice(@Nullable String hostInterfaceName, @Nullable String name) {
    this.hostInterfaceName = hostInterfaceName == null ? "" : hostInterfaceName;
    this.name = name == null ? "" : name;
  }
}
