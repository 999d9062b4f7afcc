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
  void memoryIdsAreOnePerFactorMib() {
    List<AdvertisedDevice> ids = DeviceIds.memory(List.of(A, B), 256);
    assertThat(ids).extracting(AdvertisedDevice::id).containsExactly("GPU-b-memory-0", "GPU-b-memory-1",
        "GPU-a-memory-0", "GPU-a-memory-1", "GPU-a-memory-2", "GPU-a-memory-3");
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
  void oneEightyGigabyteCardNeedsFactorTwoAndEightNeedEleven() {
    assertThat(DeviceIds.entryLimitWarning(a100s(1), 1)).get().asString()
        .contains("81920").contains("60000").contains("gpuMemoryFactor >= 2");
    assertThat(DeviceIds.entryLimitWarning(a100s(1), 2)).isEmpty();
    assertThat(DeviceIds.minimumMemoryFactor(a100s(1))).isEqualTo(2);
    assertThat(DeviceIds.minimumMemoryFactor(a100s(8))).isEqualTo(11);
    assertThat(DeviceIds.entryLimitWarning(a100s(8), 10)).get().asString().contains(">= 11");
    assertThat(DeviceIds.entryLimitWarning(a100s(8), 11)).isEmpty();
    assertThat(DeviceIds.memory(a100s(8), 11)).hasSizeLessThanOrEqualTo(DeviceIds.ENTRY_LIMIT);
  }
}
