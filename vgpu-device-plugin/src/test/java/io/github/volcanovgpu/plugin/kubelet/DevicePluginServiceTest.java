package io.github.volcanovgpu.plugin.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.plugin.allocate.AllocationHandler;
import io.github.volcanovgpu.plugin.device.AdvertisedDevice;
import io.github.volcanovgpu.plugin.device.HealthEvent;
import io.github.volcanovgpu.plugin.device.PluginResource;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.PhysicalGpu;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.Device;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DevicePluginServiceTest {
  private static final PhysicalGpu G0 = new PhysicalGpu("GPU-0", 0, "NVIDIA T4", 1024, 0, false);
  private static final PhysicalGpu G1 = new PhysicalGpu("GPU-1", 1, "NVIDIA T4", 1024, 1, false);
  private static final PhysicalGpu G2 = new PhysicalGpu("GPU-2", 2, "NVIDIA T4", 1024, 1, false);
  private static final AllocationHandler NOOP = (name, req) -> AllocateResponse.getDefaultInstance();

  private final HealthState health = new HealthState(List.of(G0, G1, G2), HealthPolicy.defaults());

  private DevicePluginService service(List<AdvertisedDevice> devices) {
    return new DevicePluginService(new PluginResource("volcano.sh/vgpu-number", devices, NOOP), health);
  }

  private static List<String> ids(List<AdvertisedDevice> devices) {
    return devices.stream().map(AdvertisedDevice::id).toList();
  }

  private DevicePluginService countService(List<AdvertisedDevice> devices) {
    return new DevicePluginService(new PluginResource("volcano.sh/vgpu-number", devices, NOOP,
        PluginResource.Grouping.ONE_PER_CARD), health);
  }

  @Test
  void countPreferenceGivesOneIdOfEachCardTheSchedulerAssigned() {
    DevicePluginService s = countService(DeviceIds.count(List.of(G0, G1, G2), 4));
    List<String> available = ids(DeviceIds.count(List.of(G0, G1, G2), 4));

    assertThat(s.prefer(available, List.of(), 1, List.of("GPU-2"))).containsExactly("GPU-2-0");
    assertThat(s.prefer(available, List.of(), 2, List.of("GPU-2", "GPU-0"))).containsExactly("GPU-2-0", "GPU-0-0");
  }

  @Test
  void countPreferenceWithoutAPodSpreadsOverDistinctCardsWithMostFreeIdsFirst() {
    DevicePluginService s = countService(DeviceIds.count(List.of(G0, G1, G2), 4));
    List<String> available = List.of("GPU-0-0", "GPU-1-0", "GPU-1-1", "GPU-1-2", "GPU-2-1", "GPU-2-3");

    assertThat(s.prefer(available, List.of(), 2, List.of())).containsExactly("GPU-1-0", "GPU-2-1");
    assertThat(s.prefer(available, List.of(), 3, List.of())).containsExactly("GPU-1-0", "GPU-2-1", "GPU-0-0");
  }

  @Test
  void countPreferenceKeepsMustIncludeAndSkipsItsCardForTheRest() {
    DevicePluginService s = countService(DeviceIds.count(List.of(G0, G1, G2), 4));
    List<String> available = new ArrayList<>(ids(DeviceIds.count(List.of(G0, G1, G2), 4)));
    available.remove("GPU-1-3");

    assertThat(s.prefer(available, List.of("GPU-1-3"), 2, List.of("GPU-1", "GPU-0")))
        .containsExactly("GPU-1-3", "GPU-0-0");
  }

  @Test
  void countPreferenceFallsBackWhenAnAssignedCardHasNoFreeId() {
    DevicePluginService s = countService(DeviceIds.count(List.of(G0, G1, G2), 2));
    List<String> available = List.of("GPU-0-0", "GPU-0-1", "GPU-2-0");

    assertThat(s.prefer(available, List.of(), 1, List.of("GPU-1"))).containsExactly("GPU-0-0");
  }

  @Test
  void packedPreferenceFillsTheCardWithMostAvailableIdsFirst() {
    DevicePluginService s = service(DeviceIds.memory(List.of(G0, G1, G2), 256));
    List<String> available = List.of("0-0", "1-0", "1-1", "1-2",
        "2-0", "2-3");
    assertThat(s.prefer(available, List.of(), 3, List.of())).containsExactly("1-0", "1-1",
        "1-2");
    assertThat(s.prefer(available, List.of(), 5, List.of())).containsExactly("1-0", "1-1",
        "1-2", "2-0", "2-3");
  }

  @Test
  void packedPreferenceKeepsTheMustIncludeCardTogether() {
    DevicePluginService s = service(DeviceIds.memory(List.of(G0, G1, G2), 256));
    List<String> available = new ArrayList<>(ids(DeviceIds.memory(List.of(G0, G1, G2), 256)));
    available.remove("1-0");
    assertThat(s.prefer(available, List.of("1-0"), 3, List.of()))
        .containsExactly("1-0", "1-1", "1-2");
  }

  @Test
  void preferenceIgnoresIdsNeverAdvertised() {
    DevicePluginService s = service(DeviceIds.count(List.of(G0), 2));
    assertThat(s.prefer(List.of("bogus", "GPU-0-1", "GPU-0-0"), List.of(), 5, List.of()))
        .containsExactly("GPU-0-0", "GPU-0-1");
  }

  @Test
  void listMarksEveryIdOfAnUnhealthyCardAndCarriesNuma() {
    DevicePluginService s = service(DeviceIds.count(List.of(G0, G1), 2));
    health.apply(new HealthEvent("GPU-1", 79, "fell off the bus", Instant.EPOCH));
    List<Device> devices = s.currentList().getDevicesList();
    assertThat(devices).extracting(Device::getHealth)
        .containsExactly("Healthy", "Healthy", "Unhealthy", "Unhealthy");
    assertThat(devices.get(2).getTopology().getNodes(0).getID()).isEqualTo(1);
    health.apply(new HealthEvent("GPU-1", 0, "ok", Instant.EPOCH));
    assertThat(s.currentList().getDevicesList()).extracting(Device::getHealth).containsOnly("Healthy");
  }

  @Test
  void ignoredXidLeavesCardHealthyAndEmptyUuidHitsAllCards() {
    List<Integer> changes = new ArrayList<>();
    health.addListener(() -> changes.add(1));
    health.apply(new HealthEvent("GPU-0", 13, "app error", Instant.EPOCH));
    assertThat(health.isHealthy("GPU-0")).isTrue();
    assertThat(changes).isEmpty();
    health.apply(new HealthEvent("", 48, "double-bit ECC", Instant.EPOCH));
    assertThat(health.snapshot().values()).noneMatch(h -> h.isHealthy());
    assertThat(changes).hasSize(1);
  }
}
