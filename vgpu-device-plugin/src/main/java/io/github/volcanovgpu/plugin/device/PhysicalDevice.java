package io.github.volcanovgpu.plugin.device;

/**
 * One physical device of some kind as discovered on the node (a GPU, an NPU, a Vastai card or die). The kubelet
 * side advertises shares of it, tracks its health and groups preferred allocations by it.
 */
public interface PhysicalDevice {
  /** The device's id: unique on the node across every kind; assignments, health and kubelet IDs are keyed by it. */
  String uuid();

  /** The device node number ({@code /dev/nvidiaN}, {@code /dev/davinciN}, ...); the stable order of registration. */
  int minorNumber();

  /** Device memory in MiB, 0 when the kind does not report it. */
  long memoryMib();

  /** NUMA node, -1 when unknown. */
  int numaNode();
}
