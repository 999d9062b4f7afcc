package io.github.volcanovgpu.plugin.kubelet;

import com.google.protobuf.CodedOutputStream;
import io.github.volcanovgpu.plugin.device.AdvertisedDevice;
import io.github.volcanovgpu.plugin.device.PhysicalDevice;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ListAndWatchResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The fake device IDs the kubelet counts (reference volcano-vgpu.md §3.3): {@code <uuid>-<i>} x split count (every
 * kind's count resource: NVIDIA's vgpu-number, HAMi's Ascend and Vastai resources), and NVIDIA's memory IDs
 * {@code <minor>-<i>} per {@code gpuMemoryFactor} MiB (shorter than the reference plugin's {@code <uuid>-memory-<i>},
 * see {@link #memory}) and {@code <uuid>-core-<i>} x 100 x core scaling. Pure. Devices are taken in minor-number
 * order.
 */
public final class DeviceIds {
  /**
   * The largest message the kubelet takes from a device plugin: grpc-go's default receive limit, 4 MiB, which the
   * kubelet's device-plugin client keeps. A ListAndWatch list over it is dropped: the node shows the resource at 0.
   */
  public static final int KUBELET_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

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

  /**
   * One ID per {@code gpuMemoryFactor} MiB of each card, {@code <minor>-<i>}, without a NUMA node. This is the list
   * that grows with the hardware (163840 IDs for two 80 GiB cards at factor 1) and the kubelet takes at most
   * {@link #KUBELET_MAX_MESSAGE_BYTES} per ListAndWatch message, so its IDs are as short as a readable ID gets: the
   * reference plugin's {@code <uuid>-memory-<i>} with the card's topology costs 3.6 times as much (two 80 GiB
   * cards: 11.6 MB against 3.3 MB). Nothing parses them: Allocate of the memory resource is passive and
   * GetPreferredAllocation finds an ID's card in the advertised list. The NUMA node is left out for size and because
   * these IDs are tokens the kubelet counts: which card's memory a container gets is the scheduler's assignment,
   * answered on the count resource, whose IDs carry the card's NUMA node for the kubelet's topology manager.
   */
  public static List<AdvertisedDevice> memory(List<? extends PhysicalDevice> gpus, int gpuMemoryFactor) {
    checkMemoryFactor(gpuMemoryFactor);
    List<AdvertisedDevice> out = new ArrayList<>();
    for (PhysicalDevice g : sorted(gpus)) {
      long n = g.memoryMib() / gpuMemoryFactor;
      String prefix = g.minorNumber() + "-";
      for (long i = 0; i < n; i++) {
        out.add(new AdvertisedDevice(prefix + i, g.uuid(), -1));
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
    checkMemoryFactor(gpuMemoryFactor);
    return gpus.stream().mapToLong(g -> g.memoryMib() / gpuMemoryFactor).sum();
  }

  /**
   * The size in bytes of the memory resource's ListAndWatch message at its largest, every card unhealthy (the
   * longer health value; the list is sent again on every health change), computed without building the list:
   * the size of an entry depends only on the length of its ID, so each card's IDs are counted by number of digits.
   */
  public static long memoryListBytes(List<? extends PhysicalDevice> gpus, int gpuMemoryFactor) {
    checkMemoryFactor(gpuMemoryFactor);
    long bytes = 0;
    for (PhysicalDevice g : gpus) {
      long n = g.memoryMib() / gpuMemoryFactor;
      String prefix = g.minorNumber() + "-";
      for (long from = 0, digits = 1; from < n; from = from == 0 ? 10 : from * 10, digits++) {
        long count = Math.min(n, from == 0 ? 10 : from * 10) - from;
        AdvertisedDevice sample = new AdvertisedDevice(prefix + "9".repeat((int) digits), g.uuid(), -1);
        bytes += count * CodedOutputStream.computeMessageSize(ListAndWatchResponse.DEVICES_FIELD_NUMBER,
            DevicePluginService.device(sample, false));
      }
    }
    return bytes;
  }

  /**
   * The smallest {@code gpuMemoryFactor} whose memory list fits {@link #KUBELET_MAX_MESSAGE_BYTES} at its largest
   * ({@link #memoryListBytes}, which only shrinks as the factor grows: a binary search).
   */
  public static int minimumMemoryFactor(List<? extends PhysicalDevice> gpus) {
    int fits = (int) Math.min(Integer.MAX_VALUE,
        Math.max(1, gpus.stream().mapToLong(PhysicalDevice::memoryMib).max().orElse(1))); // one ID per card
    int tooSmall = 0;
    while (fits - tooSmall > 1) {
      int factor = tooSmall + (fits - tooSmall) / 2;
      if (memoryListBytes(gpus, factor) <= KUBELET_MAX_MESSAGE_BYTES) {
        fits = factor;
      } else {
        tooSmall = factor;
      }
    }
    return fits;
  }

  private static void checkMemoryFactor(int gpuMemoryFactor) {
    if (gpuMemoryFactor < 1) {
      throw new IllegalArgumentException("gpuMemoryFactor must be >= 1, got " + gpuMemoryFactor);
    }
  }

  private static List<PhysicalDevice> sorted(List<? extends PhysicalDevice> gpus) {
    return gpus.stream().<PhysicalDevice>map(g -> g).sorted(Comparator.comparingInt(PhysicalDevice::minorNumber))
        .toList();
  }
}
