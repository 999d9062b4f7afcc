package io.github.volcanovgpu.bridge.vendor.ascend;

import static io.github.volcanovgpu.bridge.testing.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.bridge.device.Allocation;
import io.github.volcanovgpu.bridge.device.ContainerDemand;
import io.github.volcanovgpu.bridge.device.FitResult;
import io.github.volcanovgpu.bridge.device.InvalidDemandException;
import io.github.volcanovgpu.bridge.device.Inventory;
import io.github.volcanovgpu.bridge.device.NodeUsage;
import io.github.volcanovgpu.bridge.device.PodDemand;
import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.ledger.Ledger;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.testing.HamiNodes;
import io.github.volcanovgpu.bridge.testing.TestPods;
import io.github.volcanovgpu.contract.annotation.AscendAnnotations;
import io.github.volcanovgpu.contract.annotation.HamiAnnotations;
import io.github.volcanovgpu.contract.config.VnpuChipConfig;
import io.github.volcanovgpu.contract.config.VnpusConfig;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.SharingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AscendVendorTest {
  private static final AscendAliases ALL_CHIPS = new AscendAliases(VnpusConfig.defaults().configs());
  private static final AscendVendor A910C = new AscendVendor(HamiNodes.chip("Ascend910C"), false, ALL_CHIPS);
  private static final AscendVendor A910B3 = new AscendVendor(HamiNodes.chip("Ascend910B3"), false, ALL_CHIPS);
  private static final AscendVendor A310P = new AscendVendor(HamiNodes.chip("Ascend310P"), false, ALL_CHIPS);

  private static NodeUsage<AscendNpu> usage(AscendVendor vendor, NodeView view) {
    Inventory<AscendNpu> inv = vendor.inventory(view);
    assertThat(inv).isInstanceOf(Inventory.Registered.class);
    Inventory.Registered<AscendNpu> reg = (Inventory.Registered<AscendNpu>) inv;
    return new Ledger<>(vendor, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), Duration.ofMinutes(5))
        .usage(view, reg.mode(), reg.devices(), "");
  }

  private static FitResult fit(AscendVendor vendor, NodeView view, PodView pod, SchedulingPolicy policy) {
    PodDemand d = vendor.demand(pod).orElseThrow();
    return vendor.fit(usage(vendor, view), pod, d, policy);
  }

  private static List<DeviceSlice> slices(FitResult r) {
    assertThat(r).isInstanceOf(FitResult.Fits.class);
    return ((FitResult.Fits) r).devices().allSlices();
  }

  private static String reason(FitResult r) {
    assertThat(r).isInstanceOf(FitResult.DoesNotFit.class);
    return ((FitResult.DoesNotFit) r).reason();
  }

  /** A running pod holding the given slices on the node (its -devices-allocated annotation). */
  private static PodView holding(String name, String commonWord, String devices) {
    return pod(name).phase("Running").annotation(HamiAnnotations.devicesAllocated(commonWord), devices)
        .npu(commonWord, 1, 1, 0).build();
  }

  @Nested
  class Demand {
    @Test
    void theChipsNamesGiveCountMemoryAndCompute() {
      PodDemand d = A910B3.demand(pod("p").npu("Ascend910B3", 2, 16384, 30).build()).orElseThrow();
      assertThat(d.containers()).containsExactly(new ContainerDemand("c0", 2, 16384, 101, 30));
    }

    @Test
    void memoryAloneIsOneNpuAndNoMemoryIsTheWholeNpu() {
      PodView memOnly = pod("p").limits(Map.of("huawei.com/Ascend910B3-memory", "8192")).build();
      assertThat(A910B3.demand(memOnly).orElseThrow().containers().get(0).count()).isEqualTo(1);
      PodView whole = pod("p").npu("Ascend910B3", 1, 0, 0).build();
      assertThat(A910B3.demand(whole).orElseThrow().containers().get(0).memoryPercent()).isEqualTo(100);
    }

    @Test
    void otherChipsAndPlainContainersAskNothing() {
      assertThat(A910C.demand(pod("p").npu("Ascend910B3", 1, 0, 0).plainContainer().build())).isEmpty();
    }

    @Test
    void aSuperPodTurnsOneNpuIntoAModulePairAndRefusesOddCounts() {
      ContainerDemand d = A910C.demand(pod("p").npu("Ascend910C", 1, 16384, 0).build()).orElseThrow()
          .containers().get(0);
      assertThat(d.count()).isEqualTo(2);
      assertThat(d.requestedCount()).isEqualTo(1);
      assertThat(A910C.demand(pod("p").npu("Ascend910C", 4, 0, 0).build()).orElseThrow().containers().get(0)
          .count()).isEqualTo(4);
      assertThatThrownBy(() -> A910C.demand(pod("p").npu("Ascend910C", 3, 0, 0).build()))
          .isInstanceOf(InvalidDemandException.class)
          .hasMessageContaining("container c0: huawei.com/Ascend910C: Ascend910C device request must be 1 or 2*n, "
              + "got 3");
    }

    @Test
    void theSeedsAliasesMeanTheChipThePodAnnotationNames() {
      PodView p = pod("p").annotation("hami.io/vnpu-core", "ascend910c")
          .limits(Map.of("hami.io/vnpu-core", "2", "hami.io/vnpu-core-memory", "16384")).build();
      assertThat(A910C.demand(p).orElseThrow().containers())
          .containsExactly(new ContainerDemand("c0", 2, 16384, 101, 0));
      assertThat(A910B3.demand(p)).isEmpty();
    }

    @Test
    void anAliasWithoutAChipIsAmbiguousWhenSeveralChipsAreConfigured() {
      PodView p = pod("p").limits(Map.of("hami.io/vnpu-core", "1")).build();
      assertThatThrownBy(() -> A910C.demand(p)).isInstanceOf(InvalidDemandException.class)
          .hasMessageContaining("7 are (Ascend910A, Ascend910B2")
          .hasMessageContaining("name the chip with the pod annotation hami.io/vnpu-core: <chip> (e.g. ascend910c)");
    }

    @Test
    void anAliasMeansTheOnlyChipConfigured() {
      VnpuChipConfig c = HamiNodes.chip("Ascend910C");
      AscendVendor only = new AscendVendor(c, true, new AscendAliases(List.of(c)));
      PodView p = pod("p").limits(Map.of("hami.io/vnpu-core", "2", "hami.io/vnpu-core-memory", "4096")).build();
      assertThat(only.demand(p).orElseThrow().containers().get(0).memoryUnits()).isEqualTo(4096);
    }

    @Test
    void anAliasNamingAnUnknownChipIsRefused() {
      PodView p = pod("p").annotation("hami.io/vnpu-core", "ascend999").limits(Map.of("hami.io/vnpu-core", "1"))
          .build();
      assertThatThrownBy(() -> A910C.demand(p)).hasMessageContaining("\"ascend999\" names no configured Ascend chip");
    }

    @Test
    void anAliasCountNoNodeCanGiveNamesTheComputeResource() {
      PodView p = pod("p").annotation("hami.io/vnpu-core", "ascend910c")
          .limits(Map.of("hami.io/vnpu-core", "80", "hami.io/vnpu-core-memory", "8192")).build();
      assertThatThrownBy(() -> A910C.demand(p)).isInstanceOf(InvalidDemandException.class)
          .hasMessageContaining("hami.io/vnpu-core: 80 is a number of NPUs")
          .hasMessageContaining("use huawei.com/Ascend910C-core: 80");
    }

    @Test
    void anAliasCountAboveTheNodeIsRefusedThereWithTheSameHint() {
      PodView p = pod("p").annotation("hami.io/vnpu-core", "ascend910c")
          .limits(Map.of("hami.io/vnpu-core", "50", "hami.io/vnpu-core-memory", "8192")).build();
      String why = reason(fit(A910C, HamiNodes.ascend("n1", "Ascend910C").npus(16).build(), p,
          SchedulingPolicy.BINPACK));
      assertThat(why).contains("asks for 50 Ascend910C NPUs, the node has 16")
          .contains("use huawei.com/Ascend910C-core: 50");
    }

    @Test
    void computeAbove100AndComputeWithTemplatesAndUnknownModesAreRefused() {
      assertThatThrownBy(() -> A910B3.demand(pod("p").npu("Ascend910B3", 1, 0, 101).build()))
          .hasMessageContaining("huawei.com/Ascend910B3-core: 101 is above 100% of an NPU");
      assertThatThrownBy(() -> A910B3.demand(pod("p").annotation(AscendAnnotations.VNPU_MODE, "template")
          .npu("Ascend910B3", 1, 0, 20).build()))
          .hasMessageContaining("only supported in hami-core (soft split) mode");
      assertThatThrownBy(() -> A910B3.demand(pod("p").annotation(AscendAnnotations.VNPU_MODE, "soft")
          .npu("Ascend910B3", 1, 0, 0).build()))
          .hasMessageContaining("\"soft\" is not a mode (expected hami-core or template)");
    }

    @Test
    void memoryAboveTheChipAndBadQuantitiesAreRefused() {
      assertThatThrownBy(() -> A910B3.demand(pod("p").npu("Ascend910B3", 1, 70000, 0).build()))
          .hasMessageContaining("70000 MiB is more than a whole Ascend910B3 (65536 MiB)");
      assertThatThrownBy(() -> A910B3.demand(pod("p").limits(Map.of("huawei.com/Ascend910B3", "-1")).build()))
          .hasMessageContaining("huawei.com/Ascend910B3: negative value -1");
      assertThatThrownBy(() -> A910B3.demand(pod("p").limits(Map.of("huawei.com/Ascend910B3", "two")).build()))
          .hasMessageContaining("huawei.com/Ascend910B3");
    }

    @Test
    void aContainerAskingTheChipTwiceThroughBothNamesIsRefused() {
      PodView p = pod("p").annotation("hami.io/vnpu-core", "ascend910c")
          .limits(Map.of("hami.io/vnpu-core", "2", "huawei.com/Ascend910C", "2")).build();
      assertThatThrownBy(() -> A910C.demand(p)).hasMessageContaining("both as huawei.com/Ascend910C and as "
          + "hami.io/vnpu-core");
    }
  }

  @Nested
  class Inventories {
    @Test
    void aNodeWithoutTheChipsRegistrationOffersNothingAndSaysWhy() {
      NodeView n = NodeView.of("n1", Map.of(), Map.of("huawei.com/Ascend910C", "16"), List.of());
      assertThat(((Inventory.Unregistered<AscendNpu>) A910C.inventory(n)).reason())
          .isEqualTo("node n1 has no hami.io/node-register-Ascend910C annotation (no Ascend910C device plugin "
              + "registered on it)");
    }

    @Test
    void aMalformedRegistrationRejectsTheNodeWithTheKeyNamed() {
      NodeView n = HamiNodes.ascend("n1", "Ascend910C").npus(2)
          .annotation("hami.io/node-register-Ascend910C", "[{\"id\":\"a\",\"devmem\":\"lots\"}]").build();
      assertThat(((Inventory.Unregistered<AscendNpu>) A910C.inventory(n)).reason())
          .startsWith("node n1: hami.io/node-register-Ascend910C device 0: devmem must be a whole number");
    }

    @Test
    void withoutAllocatableTheNodeIsNotRegisteredWithTheKubelet() {
      NodeView built = HamiNodes.ascend("n1", "Ascend910C").npus(2).build();
      NodeView n = NodeView.of("n1", built.annotations(), Map.of(), List.of());
      assertThat(((Inventory.Unregistered<AscendNpu>) A910C.inventory(n)).reason())
          .contains("has no allocatable huawei.com/Ascend910C");
    }

    @Test
    void theNodeAnnotationOverridesTheClusterDefaultMode() {
      NodeView plain = HamiNodes.ascend("n1", "Ascend910C").npus(2).build();
      NodeView on = HamiNodes.ascend("n1", "Ascend910C").npus(2).hamiCore(true).build();
      AscendVendor coreByDefault = new AscendVendor(HamiNodes.chip("Ascend910C"), true, ALL_CHIPS);
      NodeView off = HamiNodes.ascend("n1", "Ascend910C").npus(2).hamiCore(false).build();
      assertThat(((Inventory.Registered<AscendNpu>) A910C.inventory(plain)).mode())
          .isEqualTo(SharingMode.VNPU_TEMPLATE);
      assertThat(((Inventory.Registered<AscendNpu>) A910C.inventory(on)).mode()).isEqualTo(SharingMode.SOFT_LIMIT);
      assertThat(((Inventory.Registered<AscendNpu>) coreByDefault.inventory(plain)).mode())
          .isEqualTo(SharingMode.SOFT_LIMIT);
      assertThat(((Inventory.Registered<AscendNpu>) coreByDefault.inventory(off)).mode())
          .isEqualTo(SharingMode.VNPU_TEMPLATE);
    }

    @Test
    void devicesTheSchedulerMarkedDeletedAreWithdrawn() {
      NodeView n = HamiNodes.ascend("n1", "Ascend910C").npus(2)
          .annotation("hami.io/node-handshake-Ascend910C", "Deleted_2026-12-01 10:00:00").build();
      assertThat(A910C.inventory(n)).isInstanceOf(Inventory.Unregistered.class);
    }
  }

  @Nested
  class HamiCore {
    private final NodeView node = HamiNodes.ascend("n1", "Ascend910B3").npus(1).hamiCore(true)
        .pod(holding("old", "Ascend910B3", "n1-npu-0,Ascend910B3,20000,70:;")).build();

    @Test
    void memoryIsTakenAsRequestedAndComputeSumsToAtMost100() {
      PodView fits = pod("p").npu("Ascend910B3", 1, 10000, 30).build();
      assertThat(slices(fit(A910B3, node, fits, SchedulingPolicy.BINPACK)))
          .containsExactly(new DeviceSlice("n1-npu-0", "Ascend910B3", 10000, 30));
      assertThat(reason(fit(A910B3, node, pod("p").npu("Ascend910B3", 1, 10000, 31).build(),
          SchedulingPolicy.BINPACK))).contains("1/1 INSUFFICIENT_CORES");
      assertThat(reason(fit(A910B3, node, pod("p").npu("Ascend910B3", 1, 50000, 10).build(),
          SchedulingPolicy.BINPACK))).contains("1/1 INSUFFICIENT_MEMORY");
    }

    @Test
    void fullComputeNeedsAnIdleNpu() {
      assertThat(reason(fit(A910B3, node, pod("p").npu("Ascend910B3", 1, 1000, 100).build(),
          SchedulingPolicy.BINPACK))).contains("INSUFFICIENT_CORES");
      NodeView idle = HamiNodes.ascend("n2", "Ascend910B3").npus(1).hamiCore(true)
          .pod(holding("old", "Ascend910B3", "n2-npu-0,Ascend910B3,1000,0:;")).build();
      assertThat(reason(fit(A910B3, idle, pod("p").npu("Ascend910B3", 1, 1000, 100).build(),
          SchedulingPolicy.BINPACK))).contains("EXCLUSIVE_NEEDS_IDLE_CARD");
    }

    @Test
    void aHamiCorePodNeverLandsOnATemplateNode() {
      NodeView template = HamiNodes.ascend("n2", "Ascend910B3").npus(1).build();
      String why = reason(fit(A910B3, template, pod("p").annotation(AscendAnnotations.VNPU_MODE, "hami-core")
          .npu("Ascend910B3", 1, 1000, 0).build(), SchedulingPolicy.BINPACK));
      assertThat(why).isEqualTo("node n2 shares its Ascend910B3 NPUs as template vNPUs, not hami-core (node "
          + "annotation hami-vnpu-core is not \"true\"); the pod needs hami-core (huawei.com/vnpu-mode: hami-core)");
      assertThat(reason(fit(A910B3, template, pod("p").npu("Ascend910B3", 1, 1000, 20).build(),
          SchedulingPolicy.BINPACK))).contains("it asks huawei.com/Ascend910B3-core compute");
    }

    @Test
    void aTemplatePinnedPodNeverLandsOnAHamiCoreNode() {
      assertThat(reason(fit(A910B3, node, pod("p").annotation(AscendAnnotations.VNPU_MODE, "template")
          .npu("Ascend910B3", 1, 1000, 0).build(), SchedulingPolicy.BINPACK)))
          .contains("shares its Ascend910B3 NPUs in hami-core mode; the pod asks template vNPUs");
    }
  }

  @Nested
  class Templates {
    private final NodeView node = HamiNodes.ascend("n1", "Ascend910B3").npus(2).build();

    @Test
    void memoryRoundsUpToTheSmallestTemplateThatHoldsIt() {
      assertThat(slices(fit(A910B3, node, pod("p").npu("Ascend910B3", 1, 10000, 0).build(),
          SchedulingPolicy.NONE))).extracting(DeviceSlice::memoryUnits).containsExactly(16384L);
      assertThat(slices(fit(A910B3, node, pod("p").npu("Ascend910B3", 1, 20000, 0).build(),
          SchedulingPolicy.NONE))).extracting(DeviceSlice::memoryUnits).containsExactly(32768L);
      assertThat(slices(fit(A910B3, node, pod("p").npu("Ascend910B3", 1, 40000, 0).build(),
          SchedulingPolicy.NONE))).extracting(DeviceSlice::memoryUnits).containsExactly(65536L);
    }

    @Test
    void severalNpusInTemplateModeAreWholeNpusOnly() {
      assertThat(reason(fit(A910B3, node, pod("p").npu("Ascend910B3", 2, 16384, 0).build(),
          SchedulingPolicy.NONE))).contains("vNPU not supported for multiple devices");
      assertThat(slices(fit(A910B3, node, pod("p").npu("Ascend910B3", 2, 0, 0).build(), SchedulingPolicy.NONE)))
          .extracting(DeviceSlice::memoryUnits).containsExactly(65536L, 65536L);
    }

    @Test
    void aPodWithoutModeFollowsTheNode() {
      PodView p = pod("p").npu("Ascend910B3", 1, 10000, 0).build();
      NodeView core = HamiNodes.ascend("n2", "Ascend910B3").npus(1).hamiCore(true).build();
      assertThat(slices(fit(A910B3, core, p, SchedulingPolicy.NONE))).extracting(DeviceSlice::memoryUnits)
          .containsExactly(10000L);
      assertThat(slices(fit(A910B3, node, p, SchedulingPolicy.NONE))).extracting(DeviceSlice::memoryUnits)
          .containsExactly(16384L);
    }
  }

  @Nested
  class Placement {
    @Test
    void superPodPairsAreTakenWithinOneModule() {
      NodeView n = HamiNodes.ascend("n1", "Ascend910C").npus(8).hamiCore(true).unhealthy(1)
          .pod(holding("busy", "Ascend910C", "n1-npu-2,Ascend910C,65536,100:;")).build();
      List<DeviceSlice> s = slices(fit(A910C, n, pod("p").npu("Ascend910C", 1, 8192, 10).build(),
          SchedulingPolicy.SPREAD));
      assertThat(s).hasSize(2);
      int a = Integer.parseInt(s.get(0).uuid().replace("n1-npu-", ""));
      int b = Integer.parseInt(s.get(1).uuid().replace("n1-npu-", ""));
      assertThat(a / 2).as("one module").isEqualTo(b / 2).isGreaterThanOrEqualTo(2);
    }

    @Test
    void withoutACompleteModuleASuperPodRequestDoesNotFit() {
      NodeView n = HamiNodes.ascend("n1", "Ascend910C").npus(4).hamiCore(true).unhealthy(0).unhealthy(3).build();
      assertThat(reason(fit(A910C, n, pod("p").npu("Ascend910C", 2, 8192, 0).build(), SchedulingPolicy.BINPACK)))
          .contains("needs 2 NPUs, not enough fit (2/4 UNHEALTHY: NPU reported unhealthy, 2/4 MODULE_PARTNER_BUSY");
    }

    @Test
    void severalNpusComeFromTheLargestNetworkGroup() {
      // 910B3: NPUs 0-3 in network 0, 4-7 in network 1; three of network 0 are busy
      NodeView n = HamiNodes.ascend("n1", "Ascend910B3").npus(8).hamiCore(true)
          .pod(holding("a", "Ascend910B3", "n1-npu-0,Ascend910B3,65536,100:;"))
          .pod(holding("b", "Ascend910B3", "n1-npu-1,Ascend910B3,65536,100:;"))
          .pod(holding("c", "Ascend910B3", "n1-npu-2,Ascend910B3,65536,100:;")).build();
      FitResult r = fit(A910B3, n, pod("p").npu("Ascend910B3", 2, 1000, 10).build(), SchedulingPolicy.NONE);
      assertThat(slices(r)).extracting(DeviceSlice::uuid).allMatch(u -> Integer.parseInt(u.replace("n1-npu-", ""))
          >= 4);
      assertThat(((FitResult.Fits) r).score()).isEqualTo(10.0); // 10 x 2/2 in one network
    }

    @Test
    void uuidListsRestrictTheNpus() {
      NodeView n = HamiNodes.ascend("n1", "Ascend310P").npus(3).hamiCore(true).build();
      PodView p = pod("p").annotation("hami.io/use-Ascend310P-uuid", "n1-npu-2")
          .npu("Ascend310P", 1, 1000, 0).build();
      assertThat(slices(fit(A310P, n, p, SchedulingPolicy.NONE))).extracting(DeviceSlice::uuid)
          .containsExactly("n1-npu-2");
      PodView q = pod("q").annotation("hami.io/no-use-Ascend310P-uuid", "n1-npu-0,n1-npu-1,n1-npu-2")
          .npu("Ascend310P", 1, 1000, 0).build();
      assertThat(reason(fit(A310P, n, q, SchedulingPolicy.NONE))).contains("3/3 UUID_DENIED");
    }

    @Test
    void theSeedsNodeFilterKeepsThePodInItsGroup() {
      NodeView in = HamiNodes.ascend("n1", "Ascend910C").npus(2).hamiCore(true)
          .annotation(AscendAnnotations.NODE_FILTER, "ascend910c-module-0,ascend910c-module-1").build();
      NodeView out = HamiNodes.ascend("n2", "Ascend910C").npus(2).hamiCore(true).build();
      PodView p = pod("p").annotation(AscendAnnotations.NODE_FILTER, "ascend910c-module-0")
          .npu("Ascend910C", 2, 1000, 0).build();
      assertThat(slices(fit(A910C, in, p, SchedulingPolicy.NONE))).hasSize(2);
      assertThat(reason(fit(A910C, out, p, SchedulingPolicy.NONE)))
          .isEqualTo("node n2 is not in vnpu-core node group \"ascend910c-module-0\" (node annotation "
              + "hami.io/vnpu-core-node-filter lists none)");
    }

    @Test
    void binpackPrefersTheFullerNpuAndSpreadTheIdleOne() {
      NodeView n = HamiNodes.ascend("n1", "Ascend310P").npus(2).hamiCore(true)
          .pod(holding("old", "Ascend310P", "n1-npu-1,Ascend310P,4000,10:;")).build();
      PodView p = pod("p").npu("Ascend310P", 1, 1000, 10).build();
      assertThat(slices(fit(A310P, n, p, SchedulingPolicy.BINPACK)).get(0).uuid()).isEqualTo("n1-npu-1");
      assertThat(slices(fit(A310P, n, p, SchedulingPolicy.SPREAD)).get(0).uuid()).isEqualTo("n1-npu-0");
    }
  }

  @Nested
  class Annotations {
    private static final Instant NOW = Instant.ofEpochSecond(1764331200);

    private Map<String, String> annotate(AscendVendor vendor, NodeView n, PodView p) {
      FitResult r = fit(vendor, n, p, SchedulingPolicy.NONE);
      return vendor.allocationAnnotations(new Allocation<>(usage(vendor, n), p, ((FitResult.Fits) r).devices(),
          NOW));
    }

    @Test
    void hamiCoreWritesVolcanosKeysWithMemoryAndCore() {
      NodeView n = HamiNodes.ascend("n1", "Ascend910C").npus(2).hamiCore(true).build();
      Map<String, String> a = annotate(A910C, n, pod("p").npu("Ascend910C", 1, 16384, 50).build());
      assertThat(a).containsExactly(
          Map.entry("hami.io/Ascend910C-devices-to-allocate",
              "n1-npu-0,Ascend910C,16384,50:n1-npu-1,Ascend910C,16384,50:;"),
          Map.entry("hami.io/Ascend910C-devices-allocated",
              "n1-npu-0,Ascend910C,16384,50:n1-npu-1,Ascend910C,16384,50:;"),
          Map.entry("predicate-time", "1764331200"),
          Map.entry("huawei.com/Ascend910C",
              "[{\"UUID\":\"n1-npu-0\",\"memory\":16384,\"core\":50},{\"UUID\":\"n1-npu-1\",\"memory\":16384,"
                  + "\"core\":50}]"),
          Map.entry("hami.io/vgpu-node", "n1"),
          Map.entry("hami.io/vgpu-time", "1764331200"),
          Map.entry("hami.io/bind-phase", "allocating"),
          Map.entry("hami.io/bind-time", "1764331200"));
    }

    @Test
    void templatesWriteTheTemplateName() {
      NodeView n = HamiNodes.ascend("n1", "Ascend310P").npus(1).build();
      Map<String, String> a = annotate(A310P, n, pod("p").npu("Ascend310P", 1, 5000, 0).build());
      assertThat(a)
          .containsEntry("huawei.com/Ascend310P", "[{\"UUID\":\"n1-npu-0\",\"temp\":\"vir02\",\"memory\":6144}]")
          .containsEntry("hami.io/Ascend310P-devices-allocated", "n1-npu-0,Ascend310P,6144,0:;");
      assertThat(A310P.assignmentKeys().all()).containsExactlyInAnyOrderElementsOf(a.keySet());
    }

    @Test
    void theLedgerReadsTheAllocatedListBack() {
      PodView p = TestPods.pod("p").annotation("hami.io/Ascend910C-devices-allocated",
          "n1-npu-0,Ascend910C,16384,50:n1-npu-1,Ascend910C,16384,50:;").build();
      assertThat(A910C.assigned(p).allSlices()).extracting(DeviceSlice::uuid).containsExactly("n1-npu-0",
          "n1-npu-1");
    }
  }
}
