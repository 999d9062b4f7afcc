package io.github.volcanovgpu.contract.region;

import java.util.List;
import java.util.Objects;

/**
 * What one container's region said at one read.
 *
 * @param priority the container's priority, 0 = high
 * @param lastKernelEpochSeconds when the container last launched a kernel, epoch seconds; 0 = never
 * @param devices the container's logical devices 0..{@link RegionLayout#MAX_DEVICES}-1 (all of them; a device the
 *     container does not use has limit 0 and use 0)
 * @param processes the registered processes (slots with a PID), in slot order
 */
public record RegionSnapshot(int priority, long lastKernelEpochSeconds, List<Device> devices,
    List<Process> processes) {
  public RegionSnapshot {
    devices = List.copyOf(devices);
    processes = List.copyOf(processes);
  }

  /**
   * One logical device of the container.
   *
   * @param memoryLimitBytes 0 = no limit
   * @param smLimitPercent 100 = no limit
   * @param memoryUsedBytes the container's use, summed over its processes by libvgpu
   */
  public record Device(int index, long memoryLimitBytes, int smLimitPercent, long memoryUsedBytes) {}

  /**
   * One registered process.
   *
   * @param slot its slot index
   * @param pid in the container's PID namespace
   * @param hostPid in the node's PID namespace (what NVML reports); 0 = not discovered
   * @param startTime its {@code /proc/<pid>/stat} start time (clock ticks since boot, the same in every PID
   *     namespace): a reused PID is not the same process
   * @param memoryUsedBytes per logical device, {@link RegionLayout#MAX_DEVICES} entries
   */
  public record Process(int slot, int pid, int hostPid, long startTime, List<Long> memoryUsedBytes) {
    public Process {
      memoryUsedBytes = List.copyOf(memoryUsedBytes);
    }
  }

  /** Device {@code index}; {@code index} must be below {@link RegionLayout#MAX_DEVICES}. */
  public Device device(int index) {
    Objects.checkIndex(index, devices.size());
    return devices.get(index);
  }
}
