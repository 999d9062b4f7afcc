package io.github.volcanovgpu.plugin.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.plugin.allocate.AllocationHandler;
import io.github.volcanovgpu.plugin.device.HealthEvent;
import io.github.volcanovgpu.plugin.device.PluginResource;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.PhysicalGpu;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The memory resource's ListAndWatch message as the plugin serializes it, on real machines, against the kubelet's
 * receive limit: 4 MiB, grpc-go's default, which the kubelet's device-plugin client keeps. A larger message is
 * dropped by the kubelet and the node shows {@code volcano.sh/vgpu-memory: 0}.
 *
 * <p>Measured before the memory IDs were shortened ({@code <uuid>-memory-<i>} with the card's NUMA node), every card
 * healthy / unhealthy: 2 x A100-80GB 11,610,420 / 11,938,100 bytes (factor 3 needed), 8 x H200 81,923,216 /
 * 84,223,552 bytes (factor 20 needed).
 */
class ListAndWatchSizeTest {
  private static final AllocationHandler NOOP = (name, req) -> AllocateResponse.getDefaultInstance();

  /** 2 x A100-SXM4-80GB (81920 MiB), one per socket. */
  static final List<PhysicalGpu> A100_80GB_X2 = cards(2, "NVIDIA A100-SXM4-80GB", 81920);
  /** 8 x H200 (143771 MiB as NVML reports it), four per socket. */
  static final List<PhysicalGpu> H200_X8 = cards(8, "NVIDIA H200", 143771);

  static List<PhysicalGpu> cards(int n, String model, long memoryMib) {
    List<PhysicalGpu> cards = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String uuid = "GPU-" + UUID.nameUUIDFromBytes((model + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      cards.add(new PhysicalGpu(uuid, i, model, memoryMib, i * 2 / n, false));
    }
    return List.copyOf(cards);
  }

  /**
   * What {@link DevicePluginService} streams for the memory resource, with every card healthy or every card
   * unhealthy ("Unhealthy" is two bytes longer per ID: the largest list a health change can make). Built card by
   * card: the message is the cards' devices one after the other, so the sizes add up.
   */
  static long served(List<PhysicalGpu> cards, int factor, boolean healthy) {
    long bytes = 0;
    for (PhysicalGpu card : cards) {
      HealthState health = new HealthState(List.of(card), HealthPolicy.defaults());
      if (!healthy) {
        health.apply(HealthEvent.fault(card.uuid(), "test", Instant.EPOCH));
      }
      PluginResource memory = new PluginResource("volcano.sh/vgpu-memory", DeviceIds.memory(List.of(card), factor),
          NOOP);
      bytes += new DevicePluginService(memory, health).currentList().getSerializedSize();
    }
    return bytes;
  }

  @Test
  void twoEightyGigabyteCardsFitTheKubeletLimitAtFactorOneEvenWhenUnhealthy() {
    long healthy = served(A100_80GB_X2, 1, true);
    long unhealthy = served(A100_80GB_X2, 1, false);

    assertThat(healthy).isEqualTo(3_254_580L); // was 11,610,420 with <uuid>-memory-<i> and topology
    assertThat(unhealthy).isEqualTo(3_582_260L).isEqualTo(DeviceIds.memoryListBytes(A100_80GB_X2, 1))
        .isLessThanOrEqualTo(DeviceIds.KUBELET_MAX_MESSAGE_BYTES);
  }

  @Test
  void eightH200sNeedFactorSixWhereTheyNeededTwenty() {
    assertThat(DeviceIds.memoryListBytes(H200_X8, 1)).isEqualTo(25_564_984L); // was 84,223,552
    assertThat(DeviceIds.minimumMemoryFactor(H200_X8)).isEqualTo(6);
    assertThat(served(H200_X8, 6, false)).isEqualTo(DeviceIds.memoryListBytes(H200_X8, 6))
        .isLessThanOrEqualTo(DeviceIds.KUBELET_MAX_MESSAGE_BYTES);
    assertThat(DeviceIds.memoryListBytes(H200_X8, 5)).isGreaterThan(DeviceIds.KUBELET_MAX_MESSAGE_BYTES);
  }
}
