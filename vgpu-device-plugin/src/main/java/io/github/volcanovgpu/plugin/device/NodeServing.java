package io.github.volcanovgpu.plugin.device;

import io.github.volcanovgpu.plugin.allocate.LeftoverCollector;
import java.util.List;
import java.util.Optional;

/**
 * What one device kind serves on this node (the result of {@link DeviceBackend#serve}).
 *
 * @param devices the physical devices whose health the resources carry (health is keyed by their UUIDs)
 * @param registered the devices the kind registers for its scheduler half (NVIDIA: the whole cards, not those a
 *     static MIG strategy turned into MIG resources)
 * @param resources the kubelet resources, each on its own socket, with its Allocate handler
 * @param registration the node annotations to publish; empty when the kind publishes none on this node
 * @param leftovers removers of what Allocate leaves per container (host directories, CDI specs) once its pod is gone
 * @param closeables what to close when the plugin stops or restarts (ports opened for this start, registries)
 * @param notices what the node's operators must be told (logged, and Warning Events on the Node)
 */
public record NodeServing(List<PhysicalDevice> devices, List<PhysicalDevice> registered,
    List<PluginResource> resources,
    Optional<NodeRegistration> registration, List<LeftoverCollector> leftovers, List<AutoCloseable> closeables,
    List<NodeNotice> notices) {
  public NodeServing {
    devices = List.copyOf(devices);
    registered = List.copyOf(registered);
    resources = List.copyOf(resources);
    java.util.Objects.requireNonNull(registration, "registration");
    leftovers = List.copyOf(leftovers);
    closeables = List.copyOf(closeables);
    notices = List.copyOf(notices);
  }

  /** Serving with nothing to tell the node. */
  public NodeServing(List<PhysicalDevice> devices, List<PhysicalDevice> registered, List<PluginResource> resources,
      Optional<NodeRegistration> registration, List<LeftoverCollector> leftovers, List<AutoCloseable> closeables) {
    this(devices, registered, resources, registration, leftovers, closeables, List.of());
  }

  /** A kind that found nothing to serve on this node. */
  public static NodeServing nothing() {
    return new NodeServing(List.of(), List.of(), List.of(), Optional.empty(), List.of(), List.of());
  }
}
