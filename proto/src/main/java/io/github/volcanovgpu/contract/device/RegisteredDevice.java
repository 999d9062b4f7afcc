package io.github.volcanovgpu.contract.device;

/**
 * What every device kind registers per physical device, whatever its annotation format: the scheduler core keys
 * usage by {@link #uuid()} and reads nothing else; a kind reads its own record type for the rest.
 */
public interface RegisteredDevice {
  /** The device's id as assignments name it (GPU UUID, NPU id, Vastai die id). */
  String uuid();

  /** Position in the node's registration. */
  int index();

  /** How many containers may share the device. */
  int splitCount();

  /** Device memory in the kind's memory unit (MiB, or gpuMemoryFactor MiB for NVIDIA). */
  long memoryUnits();

  /** Model string as registered. */
  String type();

  boolean healthy();
}
