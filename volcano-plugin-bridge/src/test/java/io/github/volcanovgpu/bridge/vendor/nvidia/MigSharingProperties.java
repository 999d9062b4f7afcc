package io.github.volcanovgpu.bridge.vendor.nvidia;

import static io.github.volcanovgpu.bridge.testing.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.device.DeviceUsage;
import io.github.volcanovgpu.bridge.device.FitResult;
import io.github.volcanovgpu.bridge.device.NodeUsage;
import io.github.volcanovgpu.bridge.device.PodShare;
import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.contract.config.NvidiaDeviceConfig;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.GpuMode;
import io.github.volcanovgpu.contract.device.RegisteredGpu;
import io.github.volcanovgpu.contract.device.SharingMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class MigSharingProperties {
  private static final NvidiaDeviceConfig CONFIG =
      DeviceConfig.parse(NvidiaMigSchedulingTest.DEVICE_CONFIG, "test").nvidia();
  private final NvidiaVendor vendor =
      new NvidiaVendor(CONFIG.resourceNames(), CONFIG.knownMigGeometries(), CONFIG.gpuMemoryFactor());

  /**
   * Pods placed one after another (some released again): a slot is never handed out twice, a card only ever holds
   * slots of one group, and every slot is at least as large as its request.
   */
  @Property(tries = 300)
  void slotsAreNeverSharedAndACardHoldsOneGroup(
      @ForAll @Size(min = 1, max = 25) List<@LongRange(min = 1, max = 45000) Long> requests,
      @ForAll @IntRange(min = 1, max = 3) int cards,
      @ForAll @Size(max = 25) List<Boolean> releases) {
    List<DeviceUsage<RegisteredGpu>> gpus = new ArrayList<>();
    for (int i = 0; i < cards; i++) {
      gpus.add(DeviceUsage.idle(
          new RegisteredGpu("GPU-" + i, i, 10, 40960, "NVIDIA-NVIDIA A100-PCIE-40GB", true, GpuMode.MIG)));
    }
    for (int k = 0; k < requests.size(); k++) {
      PodView p = pod("p" + k).gpu(1, requests.get(k), 0).build();
      FitResult r = vendor.fit(new NodeUsage<>("n1", SharingMode.MIG, gpus), p, vendor.demand(p).orElseThrow(),
          SchedulingPolicy.BINPACK);
      if (r instanceof FitResult.Fits fits) {
        DeviceSlice s = fits.devices().allSlices().get(0);
        assertThat(s.memoryUnits()).isGreaterThanOrEqualTo(requests.get(k));
        int card = Integer.parseInt(s.physicalUuid().substring(4));
        gpus.set(card, gpus.get(card).plus(new PodShare(p.uid(), p.key(), "", s.memoryUnits(), 0, false, s.uuid())));
      }
      if (k < releases.size() && releases.get(k)) {
        gpus = releaseOldest(gpus);
      }
      for (DeviceUsage<RegisteredGpu> g : gpus) {
        Set<String> ids = new HashSet<>();
        Set<String> groups = new HashSet<>();
        for (PodShare share : g.pods()) {
          assertThat(ids.add(share.deviceId())).as("slot " + share.deviceId() + " handed out twice").isTrue();
          String suffix = share.deviceId().substring(share.deviceId().indexOf('[') + 1);
          groups.add(suffix.substring(0, suffix.lastIndexOf('-')));
        }
        assertThat(groups).hasSizeLessThanOrEqualTo(1);
      }
    }
  }

  private static List<DeviceUsage<RegisteredGpu>> releaseOldest(List<DeviceUsage<RegisteredGpu>> gpus) {
    List<DeviceUsage<RegisteredGpu>> out = new ArrayList<>();
    boolean released = false;
    for (DeviceUsage<RegisteredGpu> g : gpus) {
      if (!released && !g.pods().isEmpty()) {
        DeviceUsage<RegisteredGpu> rebuilt = DeviceUsage.idle(g.device());
        for (PodShare s : g.pods().subList(1, g.pods().size())) {
          rebuilt = rebuilt.plus(s);
        }
        out.add(rebuilt);
        released = true;
      } else {
        out.add(g);
      }
    }
    return out;
  }
}
