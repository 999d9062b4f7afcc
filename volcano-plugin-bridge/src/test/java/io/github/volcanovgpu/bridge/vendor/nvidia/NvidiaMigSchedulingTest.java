package io.github.volcanovgpu.bridge.vendor.nvidia;

import static io.github.volcanovgpu.bridge.testing.TestNodes.node;
import static io.github.volcanovgpu.bridge.testing.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.device.DeviceUsage;
import io.github.volcanovgpu.bridge.device.FitResult;
import io.github.volcanovgpu.bridge.device.Inventory;
import io.github.volcanovgpu.bridge.device.NodeUsage;
import io.github.volcanovgpu.bridge.device.PodShare;
import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.ledger.Ledger;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.testing.TestNodes;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.contract.config.NvidiaDeviceConfig;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.GpuMode;
import io.github.volcanovgpu.contract.device.RegisteredGpu;
import io.github.volcanovgpu.contract.device.SharingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Dynamic MIG scheduling (reference volcano-vgpu.md §1.12; scenarios of Volcano's mig_test.go and the
 * dynamic-mig design doc), through the vendor the scheduler core calls, with geometries read from the
 * {@code volcano-vgpu-device-config} ConfigMap text in Volcano's format.
 */
class NvidiaMigSchedulingTest {
  static final String DEVICE_CONFIG = """
      nvidia:
        resourceCountName: volcano.sh/vgpu-number
        resourceMemoryName: volcano.sh/vgpu-memory
        resourceCoreName: volcano.sh/vgpu-cores
        knownMigGeometries:
        - models: [ "A30" ]
          allowedGeometries:
            - group: group1
              geometries:
              - name: 1g.6gb
                memory: 6144
                count: 4
        - models: [ "A100-SXM4-40GB", "A100-40GB-PCIe", "A100-PCIE-40GB" ]
          allowedGeometries:
            - group: group1
              geometries:
              - name: 1g.5gb
                memory: 5120
                count: 7
            - group: group2
              geometries:
              - name: 2g.10gb
                memory: 10240
                count: 3
              - name: 1g.5gb
                memory: 5120
                count: 1
            - group: group3
              geometries:
              - name: 3g.20gb
                memory: 20480
                count: 2
            - group: group4
              geometries:
              - name: 7g.40gb
                memory: 40960
                count: 1
      """;

  private static NvidiaVendor vendor(String yaml) {
    NvidiaDeviceConfig c = DeviceConfig.parse(yaml, "test").nvidia();
    return new NvidiaVendor(c.resourceNames(), c.knownMigGeometries(), c.gpuMemoryFactor());
  }

  private final NvidiaVendor vendor = vendor(DEVICE_CONFIG);

  private static TestNodes migNode(int cards, String type, long memory) {
    TestNodes n = node("n1");
    for (int i = 0; i < cards; i++) {
      n.gpu(new RegisteredGpu("GPU-" + i, i, 10, memory, type, true, GpuMode.MIG));
    }
    return n;
  }

  private static final String A100 = "NVIDIA-NVIDIA A100-PCIE-40GB";

  /** Usage where card i already holds the given MIG ids (one pod each). */
  private static NodeUsage<RegisteredGpu> usage(TestNodes nodes, GpuMode mode, List<List<String>> idsPerCard) {
    List<RegisteredGpu> reg = nodes.registered();
    List<DeviceUsage<RegisteredGpu>> gpus = new ArrayList<>();
    for (int i = 0; i < reg.size(); i++) {
      DeviceUsage<RegisteredGpu> u = DeviceUsage.idle(reg.get(i));
      List<String> ids = i < idsPerCard.size() ? idsPerCard.get(i) : List.of();
      for (String id : ids) {
        u = u.plus(new PodShare("u" + id, "ns/" + id, "", 5120, 0, false, id));
      }
      gpus.add(u);
    }
    return new NodeUsage<>("n1", SharingMode.of(mode), gpus);
  }

  private FitResult fit(NodeUsage<RegisteredGpu> usage, PodView pod) {
    return vendor.fit(usage, pod, vendor.demand(pod).orElseThrow(), SchedulingPolicy.NONE);
  }

  private static List<DeviceSlice> slices(FitResult r) {
    assertThat(r).isInstanceOf(FitResult.Fits.class);
    return ((FitResult.Fits) r).devices().allSlices();
  }

  @Test
  void migNodeWithAKnownModelRegistersInMigMode() {
    Inventory inv = vendor.inventory(migNode(1, A100, 40960).build());
    assertThat(inv).isInstanceOf(Inventory.Registered.class);
    assertThat(((Inventory.Registered<RegisteredGpu>) inv).mode()).isEqualTo(SharingMode.MIG);
  }

  @Test
  void migNodeWithoutAMatchingGeometryFallsBackToHamiCore() {
    Inventory inv = vendor.inventory(migNode(1, "NVIDIA-Tesla T4", 15360).build());
    assertThat(((Inventory.Registered<RegisteredGpu>) inv).mode()).isEqualTo(SharingMode.SOFT_LIMIT);
  }

  @Test
  void smallRequestOnAnIdleCardTakesTheFirstGroupsSmallestInstance() {
    List<DeviceSlice> s = slices(fit(usage(migNode(1, A100, 40960), GpuMode.MIG, List.of()),
        pod("p").gpu(1, 3000, 0).build()));
    assertThat(s).containsExactly(DeviceSlice.nvidia("GPU-0[group1-0]", 5120, 0));
  }

  @Test
  void eightGbTwiceAdoptsGroupTwoAndHandsOutTwoTwoGSlices() {
    PodView p = pod("p").gpu(1, 8000, 0).gpu(1, 8000, 0).build();
    List<DeviceSlice> s = slices(fit(usage(migNode(1, A100, 40960), GpuMode.MIG, List.of()), p));
    assertThat(s).extracting(DeviceSlice::uuid).containsExactly("GPU-0[group2-0]", "GPU-0[group2-1]");
    assertThat(s).extracting(DeviceSlice::memoryUnits).containsExactly(10240L, 10240L);
  }

  @Test
  void anAdoptedGroupIsKeptEvenWhenAnotherGroupHasASmallerInstance() {
    NodeUsage<RegisteredGpu> u = usage(migNode(1, A100, 40960), GpuMode.MIG, List.of(List.of("GPU-0[group3-0]")));
    assertThat(slices(fit(u, pod("p").gpu(1, 1000, 0).build())))
        .containsExactly(DeviceSlice.nvidia("GPU-0[group3-1]", 20480, 0));
  }

  @Test
  void positionsCountInstancesOfEarlierLines() {
    NodeUsage<RegisteredGpu> u = usage(migNode(1, A100, 40960), GpuMode.MIG, List.of(List.of("GPU-0[group2-0]")));
    // group2 adopted; 3000 fits the 1g.5gb line listed after three 2g.10gb: position 3
    assertThat(slices(fit(u, pod("p").gpu(1, 3000, 0).build())))
        .containsExactly(DeviceSlice.nvidia("GPU-0[group2-3]", 5120, 0));
  }

  @Test
  void fullGroupMovesToAnotherCardOrDoesNotFit() {
    NodeUsage<RegisteredGpu> one = usage(migNode(1, A100, 40960), GpuMode.MIG, List.of(List.of("GPU-0[group4-0]")));
    FitResult r = fit(one, pod("p").gpu(1, 1000, 0).build());
    assertThat(r).isInstanceOf(FitResult.DoesNotFit.class);
    assertThat(((FitResult.DoesNotFit) r).reason()).contains("1/1 NO_MIG_INSTANCE");
    assertThat(((FitResult.DoesNotFit) r).resolvable()).isTrue();

    NodeUsage<RegisteredGpu> two =
        usage(migNode(2, A100, 40960), GpuMode.MIG, List.of(List.of(), List.of("GPU-1[group4-0]")));
    assertThat(slices(fit(two, pod("p").gpu(1, 1000, 0).build()))).extracting(DeviceSlice::uuid)
        .containsExactly("GPU-0[group1-0]");
  }

  @Test
  void requestLargerThanEveryInstanceDoesNotFit() {
    FitResult r = fit(usage(migNode(1, "NVIDIA-NVIDIA A30", 24576), GpuMode.MIG, List.of()),
        pod("p").gpu(1, 7000, 0).build());
    assertThat(((FitResult.DoesNotFit) r).reason()).contains("NO_MIG_INSTANCE");
  }

  @Test
  void vgpuModeAnnotationIsHonoured() {
    NodeUsage<RegisteredGpu> mig = usage(migNode(1, A100, 40960), GpuMode.MIG, List.of());
    assertThat(fit(mig, pod("p").gpu(1, 1000, 0).annotation(VgpuAnnotations.VGPU_MODE, "mig").build()))
        .isInstanceOf(FitResult.Fits.class);
    FitResult r = fit(mig, pod("p").gpu(1, 1000, 0).annotation(VgpuAnnotations.VGPU_MODE, "hami-core").build());
    assertThat(((FitResult.DoesNotFit) r).reason())
        .isEqualTo("pod required sharing mode hami-core is not the same as node n1 mode mig");
  }

  @Test
  void hamiCoreCardsOfTheSameModelStayPlainUuids() {
    NodeUsage<RegisteredGpu> u = usage(node("n1").type(A100).gpus(1, 40960), GpuMode.HAMI_CORE, List.of());
    assertThat(slices(fit(u, pod("p").gpu(1, 3000, 0).build()))).extracting(DeviceSlice::uuid)
        .containsExactly("GPU-n1-0");
  }

  @Test
  void memoryFactorScalesTheRequestAndTheAccountedMemory() {
    NvidiaVendor factor2 = vendor(DEVICE_CONFIG.replace("nvidia:\n", "nvidia:\n  gpuMemoryFactor: 2\n"));
    PodView p = pod("p").gpu(1, 3000, 0).build();
    NodeUsage<RegisteredGpu> u = usage(migNode(1, A100, 20480), GpuMode.MIG, List.of());
    FitResult r = factor2.fit(u, p, factor2.demand(p).orElseThrow(), SchedulingPolicy.NONE);
    // 3000 units x 2 = 6000 MiB > 1g.5gb, so group2's 2g.10gb; charged 10240 / 2 units
    assertThat(slices(r)).containsExactly(DeviceSlice.nvidia("GPU-0[group2-0]", 5120, 0));
  }

  @Test
  void theLedgerFeedsAssignedSlotsBackIntoTheNextFit() {
    String ids = "GPU-0[group3-0],NVIDIA,20480,0:";
    TestNodes nodes = migNode(1, A100, 40960)
        .pod(pod("old").phase("Running").annotation(VgpuAnnotations.VGPU_IDS_NEW, ids).gpu(1, 15000, 0).build());
    NodeView view = nodes.build();
    Inventory.Registered<RegisteredGpu> inv = (Inventory.Registered<RegisteredGpu>) vendor.inventory(view);
    Ledger<RegisteredGpu> ledger =
        new Ledger<>(vendor, Clock.fixed(Instant.EPOCH, java.time.ZoneOffset.UTC), Duration.ofMinutes(1));
    NodeUsage<RegisteredGpu> u = ledger.usage(view, inv.mode(), inv.devices(), "");
    assertThat(u.devices().get(0).pods()).extracting(PodShare::deviceId).containsExactly("GPU-0[group3-0]");
    FitResult r = fit(u, pod("new").gpu(1, 1000, 0).build());
    assertThat(slices(r)).extracting(DeviceSlice::uuid).containsExactly("GPU-0[group3-1]");
    Map<String, String> annotations =
        vendor.allocationAnnotations("n1", ((FitResult.Fits) r).devices(), Instant.ofEpochSecond(1));
    assertThat(annotations).containsEntry(VgpuAnnotations.DEVICES_TO_ALLOCATE, "GPU-0[group3-1],NVIDIA,20480,0:");
  }
}
