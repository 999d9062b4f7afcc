package io.github.volcanovgpu.plugin.kubelet;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One kubelet resource served by its own plugin socket.
 *
 * @param resourceName e.g. {@code volcano.sh/vgpu-number}
 * @param devices the IDs advertised, in order
 * @param handler answers Allocate for IDs of this resource
 * @param grouping how the IDs of one container should be spread over cards (GetPreferredAllocation)
 */
public record PluginResource(String resourceName, List<AdvertisedDevice> devices, AllocationHandler handler,
    Grouping grouping) {
  /** How GetPreferredAllocation groups the IDs one container receives. */
  public enum Grouping {
    /** Each ID is a whole card for the container (the count resource: {@code vgpu-number: 2} means two cards). */
    ONE_PER_CARD,
    /** IDs are units of a card (memory, cores): keep them on as few cards as possible. */
    PACK
  }

  /** A resource whose IDs are packed ({@link Grouping#PACK}). */
  public PluginResource(String resourceName, List<AdvertisedDevice> devices, AllocationHandler handler) {
    this(resourceName, devices, handler, Grouping.PACK);
  }

  public PluginResource {
    Objects.requireNonNull(resourceName, "resourceName");
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(grouping, "grouping");
    devices = List.copyOf(devices);
    int slash = resourceName.indexOf('/');
    if (slash <= 0 || slash == resourceName.length() - 1 || resourceName.indexOf('/', slash + 1) >= 0) {
      throw new IllegalArgumentException("resource name must be <domain>/<name>: \"" + resourceName + "\"");
    }
    Set<String> ids = new HashSet<>();
    for (AdvertisedDevice d : devices) {
      if (!ids.add(d.id())) {
        throw new IllegalArgumentException("duplicate device ID " + d.id() + " in " + resourceName);
      }
    }
  }

  /** The socket file name: {@code nvidia-<part after '/'>.sock}, e.g. {@code nvidia-vgpu-number.sock}. */
  public String socketName() {
    return "nvidia-" + resourceName.substring(resourceName.indexOf('/') + 1) + ".sock";
  }
}
