package io.github.volcanovgpu.plugin.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.plugin.device.AdvertisedDevice;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.PhysicalGpu;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceIdsTest {
  private static final PhysicalGpu A = new PhysicalGpu("GPU-a", 1, "NVIDIA T4", 1024, 0, false);
  private static final PhysicalGpu B = new PhysicalGpu("GPU-b", 0, "NVIDIA T4", 512, -1, false);

  private static List<PhysicalGpu> a100s(int n) {
    List<PhysicalGpu> gpus = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      gpus.add(new PhysicalGpu("GPU-" + i, i, "NVIDIA A100-SXM4-80GB", 81920, -1, false));
    }
    return gpus;
  }

  @Test
  void countIdsAreUuidDashIndexInMinorOrder() {
    assertThat(DeviceIds.count(List.of(A, B), 2)).extracting(AdvertisedDevice::id)
        .containsExactly("GPU-b-0", "GPU-b-1", "GPU-a-0", "GPU-a-1");
    assertThat(DeviceIds.count(List.of(A), 1).get(0)).isEqualTo(new AdvertisedDevice("GPU-a-0", "GPU-a", 0));
  }

  @Test
  void memoryIdsAreMinorDashIndexOnePerFactorMibWithoutTopology() {
    List<AdvertisedDevice> ids = DeviceIds.memory(List.of(A, B), 256);

    assertThat(ids).extracting(AdvertisedDevice::id).containsExactly("0-0", "0-1", "1-0", "1-1", "1-2", "1-3");
    assertThat(ids).extracting(AdvertisedDevice::uuid)
        .containsExactly("GPU-b", "GPU-b", "GPU-a", "GPU-a", "GPU-a", "GPU-a");
    assertThat(ids).extracting(AdvertisedDevice::numaNode).containsOnly(-1);
  }

  @Test
  void memoryListBytesIsTheServedListWithEveryCardUnhealthy() {
    List<PhysicalGpu> cards = List.of(new PhysicalGpu("GPU-x", 12, "NVIDIA T4", 15360, 3, false),
        new PhysicalGpu("GPU-y", 0, "NVIDIA T4", 9, 0, false),
        new PhysicalGpu("GPU-z", 7, "NVIDIA T4", 120, -1, false));

    for (int factor : List.of(1, 7, 1000)) {
      assertThat(DeviceIds.memoryListBytes(cards, factor)).as("factor %d", factor)
          .isEqualTo(ListAndWatchSizeTest.served(cards, factor, false));
    }
  }

  @Test
  void coreIdsAreHundredTimesScaling() {
    assertThat(DeviceIds.cores(List.of(A), 1)).hasSize(100).last()
        .extracting(AdvertisedDevice::id).isEqualTo("GPU-a-core-99");
    assertThat(DeviceIds.cores(List.of(A), 2)).hasSize(200);
    assertThatThrownBy(() -> DeviceIds.cores(List.of(A), 0)).hasMessageContaining("deviceCoreScaling");
    assertThatThrownBy(() -> DeviceIds.memory(List.of(A), 0)).hasMessageContaining("gpuMemoryFactor");
    assertThatThrownBy(() -> DeviceIds.count(List.of(A), 0)).hasMessageContaining("deviceSplitCount");
  }

  @Test
  void minimumMemoryFactorIsTheSmallestWhoseLargestListFitsTheKubelet() {
    assertThat(DeviceIds.minimumMemoryFactor(a100s(1))).isEqualTo(1);
    assertThat(DeviceIds.minimumMemoryFactor(a100s(2))).isEqualTo(1);
    assertThat(DeviceIds.minimumMemoryFactor(a100s(8))).isEqualTo(4);
    for (int n : List.of(3, 8, 16)) {
      int factor = DeviceIds.minimumMemoryFactor(a100s(n));
      assertThat(DeviceIds.memoryListBytes(a100s(n), factor)).isLessThanOrEqualTo(DeviceIds.KUBELET_MAX_MESSAGE_BYTES);
      assertThat(DeviceIds.memoryListBytes(a100s(n), factor - 1)).isGreaterThan(DeviceIds.KUBELET_MAX_MESSAGE_BYTES);
    }
  }
}
