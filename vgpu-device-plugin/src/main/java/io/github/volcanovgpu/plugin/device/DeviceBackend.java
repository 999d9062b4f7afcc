package io.github.volcanovgpu.plugin.device;

import java.util.List;

/**
 * One device kind on the node (NVIDIA vGPU with MIG, Ascend NPUs, Vastai cards or dies): the node half of a kind,
 * mirroring NVIDIA's {@code resource.Manager} + {@code rm.ResourceManager}. The device plugin core knows kinds only
 * through this interface: it serves and registers the kind's resources with the kubelet, routes its health events,
 * publishes its node annotations and closes it; it never names a vendor.
 *
 * <p>A backend outlives configuration reloads (it holds the hardware port: NVML, DCMI, a fake machine);
 * {@link #serve} is called again on each (re)start with the configuration of that start. Thread-safe.
 */
public interface DeviceBackend extends AutoCloseable {
  /** The kind's name in logs, metrics and messages: {@code nvidia}, {@code ascend}, {@code vastai}. */
  String kind();

  /**
   * The kind's physical devices on this node now, in any order.
   *
   * @throws DiscoveryException naming what is missing (driver, library, permissions, a bad fixture)
   */
  List<? extends PhysicalDevice> discover();

  /** Where the kind's health events come from; {@link HealthMonitor#NONE} when it has none. */
  HealthMonitor health();

  /**
   * What the kind serves on this node with this configuration: its kubelet resources with their Allocate handlers,
   * the devices whose health they carry, its node annotations and what must be cleaned or closed with the plugin.
   *
   * @throws DiscoveryException when the devices cannot be discovered
   * @throws io.github.volcanovgpu.contract.config.ConfigException when the configuration does not fit the node
   */
  NodeServing serve(NodeContext node);

  /** Releases the hardware port (NVML, DCMI, a health thread). */
  @Override
  void close();
}
