package io.github.volcanovgpu.plugin.device;

import io.github.volcanovgpu.plugin.allocate.AllocationHandler;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One kubelet resource a device kind advertises, served by its own plugin socket.
 *
 * @param resourceName e.g. {@code volcano.sh/vgpu-number}, {@code huawei.com/Ascend910C}
 * @param devices the IDs advertised, in order
 * @param handler answers Allocate for IDs of this resource
 * @param grouping how the IDs of one container should be spread over devices (GetPreferredAllocation)
 * @param socketName the socket file in the kubelet's device-plugin directory, e.g. {@code nvidia-vgpu-number.sock}
 */
public record PluginResource(String resourceName, List<AdvertisedDevice> devices, AllocationHandler handler,
    Grouping grouping, String socketName) {
  /** How GetPreferredAllocation groups the IDs one container receives. */
  public enum Grouping {
    /** Each ID is a whole card for the container (the count resource: {@code vgpu-number: 2} means two cards). */
    ONE_PER_CARD,
    /** IDs are units of a card (memory, cores): keep them on as few cards as possible. */
    PACK
  }

  /** NVIDIA's socket ({@code nvidia-<part after '/'>.sock}). */
  public PluginResource(String resourceName, List<AdvertisedDevice> devices, AllocationHandler handler,
      Grouping grouping) {
    this(resourceName, devices, handler, grouping, socketName("nvidia", resourceName));
  }

  /** A resource whose IDs are packed ({@link Grouping#PACK}), on NVIDIA's socket name. */
  public PluginResource(String resourceName, List<AdvertisedDevice> devices, AllocationHandler handler) {
    this(resourceName, devices, handler, Grouping.PACK);
  }

  public PluginResource {
    Objects.requireNonNull(resourceName, "resourceName");
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(grouping, "grouping");
    Objects.requireNonNull(socketName, "socketName");
    devices = List.copyOf(devices);
    checkResourceName(resourceName);
    if (!socketName.matches("[A-Za-z0-9._-]+\\.sock")) {
      throw new IllegalArgumentException("socket name must be a file name ending in .sock: \"" + socketName + "\"");
    }
    Set<String> ids = new HashSet<>();
    for (AdvertisedDevice d : devices) {
      if (!ids.add(d.id())) {
        throw new IllegalArgumentException("duplicate device ID " + d.id() + " in " + resourceName);
      }
    }
  }

  /** The same resource answered by {@code other} (e.g. wrapped for metrics). */
  public PluginResource withHandler(AllocationHandler other) {
    return new PluginResource(resourceName, devices, other, grouping, socketName);
  }

  /**
   * {@code <prefix>-<part after '/'>.sock}, e.g. {@code nvidia-vgpu-number.sock}.
   *
   * @throws IllegalArgumentException when {@code resourceName} is not {@code <domain>/<name>}
   */
  public static String socketName(String prefix, String resourceName) {
    checkResourceName(resourceName);
    return prefix + "-" + resourceName.substring(resourceName.indexOf('/') + 1) + ".sock";
  }

  private static void checkResourceName(String resourceName) {
    int slash = resourceName.indexOf('/');
    if (slash <= 0 || slash == resourceName.length() - 1 || resourceName.indexOf('/', slash + 1) >= 0) {
      throw new IllegalArgumentException("resource name must be <domain>/<name>: \"" + resourceName + "\"");
    }
  }
}
