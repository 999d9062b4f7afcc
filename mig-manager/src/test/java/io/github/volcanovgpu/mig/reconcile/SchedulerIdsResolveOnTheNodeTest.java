package io.github.volcanovgpu.mig.reconcile;

import static io.github.volcanovgpu.bridge.testing.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.device.DeviceUsage;
import io.github.volcanovgpu.bridge.device.FitResult;
import io.github.volcanovgpu.bridge.device.NodeUsage;
import io.github.volcanovgpu.bridge.device.PodShare;
import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.vendor.nvidia.NvidiaVendor;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.contract.config.NvidiaDeviceConfig;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.GpuMode;
import io.github.volcanovgpu.contract.device.RegisteredGpu;
import io.github.volcanovgpu.contract.device.SharingMode;
import io.github.volcanovgpu.mig.gpu.FakeMigGpus;
import io.github.volcanovgpu.mig.gpu.MigDevice;
import io.github.volcanovgpu.mig.profile.ProfileCatalogue;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The contract between the two halves of dynamic MIG: every id the scheduler hands out for a card resolves, on
 * the node, to a distinct MIG device of the profile the scheduler accounted for, from the same ConfigMap.
 */
class SchedulerIdsResolveOnTheNodeTest {
  private static final String CONFIG = """
      nvidia:
        knownMigGeometries:
        - models: ["H200"]
          allowedGeometries:
          - group: all-small
            geometries: [{name: 1g.18gb, memory: 16384, count: 7}]
          - group: mixed
            geometries:
            - {name: 1g.18gb, memory: 16384, count: 2}
            - {name: 2g.35gb, memory: 33280, count: 1}
            - {name: 3g.71gb, memory: 72704, count: 1}
      """;

  @Test
  void everySlotOfTheMixedGroupResolvesToADistinctDeviceOfItsProfile() {
    NvidiaDeviceConfig config = DeviceConfig.parse(CONFIG, "test").nvidia();
    NvidiaVendor vendor = new NvidiaVendor(config.resourceNames(), config.knownMigGeometries(), 1);
    ProfileCatalogue catalogue = ProfileCatalogue.builtIn();
    FakeMigGpus gpus = new FakeMigGpus();
    gpus.addGpu(catalogue.byName("H200-141GB").orElseThrow(), "GPU-h200");
    MigLayoutService service = new MigLayoutService(gpus, new MigReconciler(gpus, catalogue));

    RegisteredGpu card = new RegisteredGpu("GPU-h200", 0, 10, 143360, "NVIDIA-NVIDIA H200", true, GpuMode.MIG);
    DeviceUsage<RegisteredGpu> usage = DeviceUsage.idle(card);
    Set<String> migUuids = new HashSet<>();
    // a 3g request adopts the mixed group; then the 2g and the two 1g slots
    for (long memory : List.of(40000L, 20000L, 10000L, 10000L)) {
      PodView p = pod("p" + memory + migUuids.size()).gpu(1, memory, 0).build();
      FitResult r =
          vendor.fit(new NodeUsage<>("n1", SharingMode.MIG, List.of(usage)), p, vendor.demand(p).orElseThrow(),
              SchedulingPolicy.NONE);
      assertThat(r).isInstanceOf(FitResult.Fits.class);
      DeviceSlice slice = ((FitResult.Fits) r).devices().allSlices().get(0);
      usage = usage.plus(new PodShare(p.uid(), p.key(), "", slice.memoryUnits(), 0, false, slice.uuid()));

      MigDevice device = service.ensure(slice.uuid(), config.knownMigGeometries());
      long profileMemory = catalogue.byName("H200-141GB").orElseThrow().profile(device.profile()).orElseThrow()
          .memoryMib();
      assertThat(profileMemory).as(slice.uuid()).isEqualTo(slice.memoryUnits());
      assertThat(migUuids.add(device.uuid())).as("distinct device for " + slice.uuid()).isTrue();
    }
    assertThat(migUuids).hasSize(4);
  }
}
