package io.github.volcanovgpu.plugin.kubelet;

import io.github.volcanovgpu.plugin.device.AdvertisedDevice;
import io.github.volcanovgpu.plugin.device.PhysicalDevice;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The fake device IDs the kubelet counts (reference volcano-vgpu.md §3.3): {@code <uuid>-<i>} x split count (every
 * kind's count resource: NVIDIA's vgpu-number, HAMi's Ascend and Vastai resources), and NVIDIA's
 * {@code <uuid>-memory-<i>} per {@code gpuMemoryFactor} MiB and {@code <uuid>-core-<i>} x 100 x core scaling.
 * Pure. Devices are taken in minor-number order.
 */
public final class DeviceIds {
  /**
   * The most entries one ListAndWatch list may carry: the kubelet's 4 MB gRPC receive limit silently drops larger
   * lists (the reference plugin's {@code deviceEntryLimit}).
   */
  public static final int ENTRY_LIMIT = 60_000;

  private DeviceIds() {}

  public static List<AdvertisedDevice> count(List<? extends PhysicalDevice> gpus, int splitCount) {
    if (splitCount < 1) {
      throw new IllegalArgumentException("deviceSplitCount must be >= 1, got " + splitCount);
    }
    List<AdvertisedDevice> out = new ArrayList<>();
    for (PhysicalDevice g : sorted(gpus)) {
      for (int i = 0; i < splitCount; i++) {
        out.add(new AdvertisedDevice(g.uuid() + "-" + i, g.uuid(), g.numaNode()));
      }
    }
    return List.copyOf(out);
  }

  public static List<AdvertisedDevice> memory(List<? extends PhysicalDevice> gpus, int gpuMemoryFactor) {
    if (gpuMemoryFactor < 1) {
      throw new IllegalArgumentException("gpuMemoryFactor must be >= 1, got " + gpuMemoryFactor);
    }
    List<AdvertisedDevice> out = new ArrayList<>();
    for (PhysicalDevice g : sorted(gpus)) {
      long n = g.memoryMib() / gpuMemoryFactor;
      for (long i = 0; i < n; i++) {
        out.add(new AdvertisedDevice(g.uuid() + "-memory-" + i, g.uuid(), g.numaNode()));
      }
    }
    return List.copyOf(out);
  }

  public static List<AdvertisedDevice> cores(List<? extends PhysicalDevice> gpus, double coreScaling) {
    if (!(coreScaling > 0) || coreScaling > 100) {
      throw new IllegalArgumentException("deviceCoreScaling must be in (0, 100], got " + coreScaling);
    }
    int perCard = (int) Math.round(100 * coreScaling);
    List<AdvertisedDevice> out = new ArrayList<>();
    for (PhysicalDevice g : sorted(gpus)) {
      for (int i = 0; i < perCard; i++) {
        out.add(new AdvertisedDevice(g.uuid() + "-core-" + i, g.uuid(), g.numaNode()));
      }
    }
    return List.copyOf(out);
  }

  /** Number of memory IDs the cards yield with {@code gpuMemoryFactor}. */
  public static long memoryEntries(List<? extends PhysicalDevice> gpus, int gpuMemoryFactor) {
    return gpus.stream().mapToLong(g -> g.memoryMib() / gpuMemoryFactor).sum();
  }

  /** The smallest {@code gpuMemoryFactor} whose memory list stays within {@link #ENTRY_LIMIT}. */
  public static int minimumMemoryFactor(List<? extends PhysicalDevice> gpus) {
    long total = gpus.stream().mapToLong(PhysicalDevice::memoryMib).sum();
    int factor = (int) Math.max(1, (total + ENTRY_LIMIT - 1) / ENTRY_LIMIT);
    while (memoryEntries(gpus, factor) > ENTRY_LIMIT) {
      factor++;
    }
    return factor;
  }

  /**
   * A warning when the memory list would exceed {@link #ENTRY_LIMIT}, naming the minimum factor that fits; empty
   * when it fits.
   */
  public static Optional<String> entryLimitWarning(List<? extends PhysicalDevice> gpus, int gpuMemoryFactor) {
    long entries = memoryEntries(gpus, gpuMemoryFactor);
    if (entries <= ENTRY_LIMIT) {
      return Optional.empty();
    }
    return Optional.of("gpuMemoryFactor " + gpuMemoryFactor + " yields " + entries + " vgpu-memory device IDs, over the"
        + " kubelet limit of " + ENTRY_LIMIT + " (4 MB per ListAndWatch message); the kubelet would drop the list."
        + " Use gpuMemoryFactor >= " + minimumMemoryFactor(gpus));
  }

  private static List<PhysicalDevice> sorted(List<? extends PhysicalDevice> gpus) {
    return gpus.stream().<PhysicalDevice>map(g -> g).sorted(Comparator.comparingInt(PhysicalDevice::minorNumber))
        .toList();
  }
}
