package io.github.volcanovgpu.bridge.vendor.nvidia;

import static io.github.volcanovgpu.bridge.testing.TestNodes.node;
import static io.github.volcanovgpu.bridge.testing.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.bridge.device.ContainerDemand;
import io.github.volcanovgpu.bridge.device.DeviceRefusal;
import io.github.volcanovgpu.bridge.device.DeviceUsage;
import io.github.volcanovgpu.bridge.device.FitResult;
import io.github.volcanovgpu.bridge.device.InvalidDemandException;
import io.github.volcanovgpu.bridge.device.Inventory;
import io.github.volcanovgpu.bridge.device.NodeUsage;
import io.github.volcanovgpu.bridge.device.PodDemand;
import io.github.volcanovgpu.bridge.device.PodShare;
import io.github.volcanovgpu.bridge.device.RefusalCause;
import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.testing.TestNodes;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.GpuMode;
import io.github.volcanovgpu.contract.device.RegisteredGpu;
import io.github.volcanovgpu.contract.device.ResourceNames;
import io.github.volcanovgpu.contract.device.SharingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NvidiaVendorTest {
  private final NvidiaVendor vendor = NvidiaVendor.volcanoDefaults();

  /** Usage of a node where GPU i already holds usedMemory[i] MiB in usedShares[i] tasks. */
  private static NodeUsage<RegisteredGpu> usage(TestNodes builder, long[] usedMemory, int[] usedShares) {
    List<DeviceUsage<RegisteredGpu>> gpus = new ArrayList<>();
    List<RegisteredGpu> reg = builder.registered();
    for (int i = 0; i < reg.size(); i++) {
      DeviceUsage<RegisteredGpu> u = DeviceUsage.idle(reg.get(i));
      for (int s = 0; s < usedShares[i]; s++) {
        u = u.plus(new PodShare("p" + i + s, "ns/p" + i + s, "", s == 0 ? usedMemory[i] : 0, 0, false));
      }
      gpus.add(u);
    }
    return new NodeUsage<>("n1", SharingMode.SOFT_LIMIT, gpus);
  }

  private static NodeUsage<RegisteredGpu> idle(TestNodes builder) {
    int n = builder.registered().size();
    return usage(builder, new long[n], new int[n]);
  }

  private FitResult fit(NodeUsage<RegisteredGpu> usage, PodView pod, SchedulingPolicy policy) {
    PodDemand demand = vendor.demand(pod).orElseThrow();
    return vendor.fit(usage, pod, demand, policy);
  }

  private static List<String> uuids(FitResult r) {
    assertThat(r).isInstanceOf(FitResult.Fits.class);
    return ((FitResult.Fits) r).devices().allSlices().stream().map(DeviceSlice::uuid).toList();
  }

  @Nested
  class Demand {
    @Test
    void countLimitGivesTheNumberOfCards() {
      PodDemand d = vendor.demand(pod("p").gpu(2, 3000, 50).build()).orElseThrow();
      assertThat(d.containers()).containsExactly(new ContainerDemand("c0", 2, 3000, 101, 50));
    }

    @Test
    void memoryLimitAloneMeansOneCard() {
      PodView p = pod("p").container("m", Map.of("volcano.sh/vgpu-memory", "1024"), Map.of()).build();
      assertThat(vendor.demand(p).orElseThrow().containers().get(0).count()).isEqualTo(1);
    }

    @Test
    void coresAloneIsNoRequest() {
      PodView p = pod("p").container("c", Map.of("volcano.sh/vgpu-cores", "50"), Map.of()).build();
      assertThat(vendor.demand(p)).isEmpty();
    }

    @Test
    void limitsWinOverRequestsAndRequestsFillIn() {
      PodView p = pod("p").container("c",
          Map.of("volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-memory", "2000"),
          Map.of("volcano.sh/vgpu-memory", "9999", "volcano.sh/vgpu-cores", "20")).build();
      assertThat(vendor.demand(p).orElseThrow().containers().get(0))
          .isEqualTo(new ContainerDemand("c", 1, 2000, 101, 20));
    }

    @Test
    void noMemoryAndNoPercentageMeansTheWholeCard() {
      ContainerDemand c = vendor.demand(pod("p").gpu(1, 0, 0).build()).orElseThrow().containers().get(0);
      assertThat(c.memoryPercent()).isEqualTo(100);
      assertThat(c.memoryOn(40960)).isEqualTo(40960);
    }

    @Test
    void percentageIsFlooredPerCard() {
      PodView p = pod("p").container("c",
          Map.of("volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-memory-percentage", "33"), Map.of()).build();
      assertThat(vendor.demand(p).orElseThrow().containers().get(0).memoryOn(1000)).isEqualTo(330);
    }

    @Test
    void initContainersAndPlainContainersAreIgnored() {
      PodView p = pod("p").plainContainer().gpu(1, 100, 0)
          .initContainer("init", Map.of("volcano.sh/vgpu-number", "1")).build();
      PodDemand d = vendor.demand(p).orElseThrow();
      assertThat(d.containers()).extracting(ContainerDemand::containerName).containsExactly("c1");
    }

    @Test
    void badQuantityNamesPodContainerAndResource() {
      PodView p = pod("p").container("train", Map.of("volcano.sh/vgpu-memory", "lots"), Map.of()).build();
      assertThatThrownBy(() -> vendor.demand(p))
          .isInstanceOf(InvalidDemandException.class)
          .hasMessageContaining("default/p")
          .hasMessageContaining("train")
          .hasMessageContaining("volcano.sh/vgpu-memory");
    }

    @Test
    void coresAbove100AreRejected() {
      assertThatThrownBy(() -> vendor.demand(pod("p").gpu(1, 10, 150).build()))
          .isInstanceOf(InvalidDemandException.class)
          .hasMessageContaining("above 100%");
    }

    @Test
    void binaryQuantitySuffixIsUnderstood() {
      PodView p = pod("p").container("c", Map.of("volcano.sh/vgpu-memory", "1Ki"), Map.of()).build();
      assertThat(vendor.demand(p).orElseThrow().containers().get(0).memoryUnits()).isEqualTo(1024);
    }
  }

  @Nested
  class Inventories {
    @Test
    void nodeWithoutRegisterAnnotationIsNotAVgpuNode() {
      Inventory inv = vendor.inventory(node("n1").gpus(1, 1000).withoutRegistration().build());
      assertThat(inv).isInstanceOf(Inventory.Unregistered.class);
      assertThat(((Inventory.Unregistered) inv).reason()).contains(VgpuAnnotations.NODE_REGISTER);
    }

    @Test
    void nodeWithZeroAllocatableIsNotAdmitted() {
      NodeView n = node("n1").gpus(1, 1000).build();
      NodeView zero = NodeView.of("n1", n.annotations(), Map.of("volcano.sh/vgpu-number", "0"), List.of());
      Inventory inv = vendor.inventory(zero);
      assertThat(((Inventory.Unregistered) inv).reason()).contains("volcano.sh/vgpu-number");
    }

    @Test
    void malformedAnnotationGivesTheCodecReason() {
      NodeView n = node("n1").gpus(1, 1000)
          .annotation(VgpuAnnotations.NODE_REGISTER, "GPU-a,10,40960,NVIDIA-A100,true:").build();
      assertThat(((Inventory.Unregistered) vendor.inventory(n)).reason()).contains("expected 6 fields");
    }

    @Test
    void registeredNodeListsItsGpusInOrder() {
      Inventory inv = vendor.inventory(node("n1").gpus(3, 1000).build());
      assertThat(((Inventory.Registered<RegisteredGpu>) inv).devices()).extracting(RegisteredGpu::uuid)
          .containsExactly("GPU-n1-0", "GPU-n1-1", "GPU-n1-2");
    }
  }

  @Nested
  class GpuTypeFilters {
    @ParameterizedTest(name = "use={0} nouse={1} fits={2}")
    @CsvSource(delimiter = '|', value = {
        "A100|  |true", "a100|  |true", "T4,A100|  |true", "T4,V100|  |false",
        "  |A100|false", "  |a100|false", "  |T4,A100|false", "  |T4,V100|true", "  |  |true",
        "V100|A100|false"})
    void typeAnnotationsMatchCaseInsensitiveSubstrings(String use, String nouse, boolean fits) {
      var b = pod("p").gpu(1, 100, 0);
      if (use != null) {
        b.annotation(VgpuAnnotations.USE_GPU_TYPE, use);
      }
      if (nouse != null) {
        b.annotation(VgpuAnnotations.NOUSE_GPU_TYPE, nouse);
      }
      FitResult r = fit(idle(node("n1").gpus(1, 1000)), b.build(), SchedulingPolicy.BINPACK);
      assertThat(r instanceof FitResult.Fits).isEqualTo(fits);
    }

    @Test
    void typeMismatchIsNotResolvableByEviction() {
      PodView p = pod("p").gpu(1, 100, 0).annotation(VgpuAnnotations.USE_GPU_TYPE, "H100").build();
      FitResult r = fit(idle(node("n1").gpus(2, 1000)), p, SchedulingPolicy.BINPACK);
      assertThat(r).isEqualTo(new FitResult.DoesNotFit(
          "node n1: container c0 needs 1 GPU, not enough fit (2/2 TYPE_MISMATCH: GPU type excluded by "
              + "nvidia.com/use-gputype / nouse-gputype)",
          false, RefusalCause.DEVICES_REFUSED, "c0",
          List.of(new DeviceRefusal(0, NvidiaFitFailure.TYPE_MISMATCH),
              new DeviceRefusal(1, NvidiaFitFailure.TYPE_MISMATCH))));
    }
  }

  @Nested
  class UuidFilters {
    private final TestNodes twoCards = node("n1").split(4).gpu("GPU-0000A", 16384).gpu("GPU-0000B", 16384);

    @Test
    void allowListPicksTheListedCard() {
      PodView p = pod("p").gpu(1, 4096, 0).annotation(VgpuAnnotations.USE_GPU_UUID, "GPU-0000A").build();
      assertThat(uuids(fit(idle(twoCards), p, SchedulingPolicy.NONE))).containsExactly("GPU-0000A");
    }

    @Test
    void denyListAvoidsTheListedCard() {
      PodView p = pod("p").gpu(1, 4096, 0).annotation(VgpuAnnotations.NOUSE_GPU_UUID, "GPU-0000B").build();
      assertThat(uuids(fit(idle(twoCards), p, SchedulingPolicy.NONE))).containsExactly("GPU-0000A");
    }

    @Test
    void unknownAllowedUuidIsUnschedulableAndSaysWhy() {
      PodView p = pod("p").gpu(1, 4096, 0).annotation(VgpuAnnotations.USE_GPU_UUID, "GPU-XXXX").build();
      FitResult r = fit(idle(twoCards), p, SchedulingPolicy.NONE);
      assertThat(((FitResult.DoesNotFit) r).reason()).contains(VgpuAnnotations.USE_GPU_UUID);
    }

    @Test
    void denyingBothCardsIsUnschedulableAndSaysWhy() {
      PodView p = pod("p").gpu(1, 4096, 0)
          .annotation(VgpuAnnotations.NOUSE_GPU_UUID, "GPU-0000A, GPU-0000B").build();
      FitResult r = fit(idle(twoCards), p, SchedulingPolicy.NONE);
      assertThat(((FitResult.DoesNotFit) r).reason()).contains(VgpuAnnotations.NOUSE_GPU_UUID);
    }

    @Test
    void denyWinsOverAllow() {
      PodView p = pod("p").gpu(1, 4096, 0)
          .annotation(VgpuAnnotations.USE_GPU_UUID, "GPU-0000A")
          .annotation(VgpuAnnotations.NOUSE_GPU_UUID, "GPU-0000A").build();
      assertThat(fit(idle(twoCards), p, SchedulingPolicy.NONE)).isInstanceOf(FitResult.DoesNotFit.class);
    }

    @Test
    void separatorOnlyAllowListIsIgnored() {
      PodView p = pod("p").gpu(1, 4096, 0).annotation(VgpuAnnotations.USE_GPU_UUID, " , ,").build();
      assertThat(fit(idle(twoCards), p, SchedulingPolicy.NONE)).isInstanceOf(FitResult.Fits.class);
    }

    @Test
    void partialUuidDoesNotMatch() {
      PodView p = pod("p").gpu(1, 4096, 0).annotation(VgpuAnnotations.USE_GPU_UUID, "GPU-0000").build();
      assertThat(fit(idle(twoCards), p, SchedulingPolicy.NONE)).isInstanceOf(FitResult.DoesNotFit.class);
    }
  }

  @Nested
  class OrderAndScore {
    private final TestNodes twoCards = node("n1").split(4).gpus(2, 16384);

    @Test
    void binpackPicksTheBusierCard() {
      NodeUsage<RegisteredGpu> u = usage(twoCards, new long[] {4096, 0}, new int[] {1, 0});
      assertThat(uuids(fit(u, pod("p").gpu(1, 4096, 0).build(), SchedulingPolicy.BINPACK)))
          .containsExactly("GPU-n1-0");
    }

    @Test
    void spreadPicksTheIdleCard() {
      NodeUsage<RegisteredGpu> u = usage(twoCards, new long[] {4096, 0}, new int[] {1, 0});
      assertThat(uuids(fit(u, pod("p").gpu(1, 4096, 0).build(), SchedulingPolicy.SPREAD)))
          .containsExactly("GPU-n1-1");
    }

    @Test
    void noPolicyPicksTheHighestIndex() {
      assertThat(uuids(fit(idle(twoCards), pod("p").gpu(1, 4096, 0).build(), SchedulingPolicy.NONE)))
          .containsExactly("GPU-n1-1");
    }

    @Test
    void binpackScoreMatchesVolcanosExample() {
      TestNodes b = node("n1").gpus(1, 30000);
      FitResult r = fit(usage(b, new long[] {3000}, new int[] {1}), pod("p").gpu(1, 1000, 0).build(),
          SchedulingPolicy.BINPACK);
      assertThat(((FitResult.Fits) r).score()).isCloseTo(13.333, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void spreadScoresAnIdleCard100EvenThoughTheAddHappened() {
      FitResult r = fit(idle(node("n1").gpus(1, 1000)), pod("p").gpu(1, 100, 0).build(), SchedulingPolicy.SPREAD);
      assertThat(((FitResult.Fits) r).score()).isEqualTo(100.0);
    }

    @Test
    void spreadScoresASharedCardZero() {
      TestNodes b = node("n1").gpus(1, 1000);
      FitResult r = fit(usage(b, new long[] {100}, new int[] {1}), pod("p").gpu(1, 100, 0).build(),
          SchedulingPolicy.SPREAD);
      assertThat(((FitResult.Fits) r).score()).isZero();
    }

    @Test
    void zeroMemoryCardsScoreZeroInsteadOfNaN() {
      TestNodes b = node("n1").gpus(2, 0);
      FitResult r = fit(idle(b), pod("p").gpu(2, 0, 10).build(), SchedulingPolicy.BINPACK);
      assertThat(r).isInstanceOf(FitResult.Fits.class);
      assertThat(((FitResult.Fits) r).score()).isZero();
    }

    @Test
    void gpuScoreGuardsEveryDivision() {
      assertThat(NvidiaVendor.gpuScore(SchedulingPolicy.BINPACK, 0, 0, 0)).isZero();
      assertThat(NvidiaVendor.gpuScore(SchedulingPolicy.BINPACK, 1000, 1000, 1)).isEqualTo(100.0);
      assertThat(NvidiaVendor.gpuScore(SchedulingPolicy.NONE, 1000, 10, 0)).isZero();
    }
  }

  @Nested
  class Capacity {
    @Test
    void splitCountLimitsTasksPerCard() {
      TestNodes b = node("n1").split(2).gpus(1, 10000);
      FitResult r = fit(usage(b, new long[] {10}, new int[] {2}), pod("p").gpu(1, 10, 0).build(),
          SchedulingPolicy.BINPACK);
      assertThat(((FitResult.DoesNotFit) r).reason()).contains("SHARES_EXHAUSTED");
      assertThat(((FitResult.DoesNotFit) r).resolvable()).isTrue();
    }

    @Test
    void memoryOverTheCardIsUnresolvable() {
      FitResult r = fit(idle(node("n1").gpus(1, 8192)), pod("p").gpu(1, 9000, 0).build(), SchedulingPolicy.BINPACK);
      assertThat(((FitResult.DoesNotFit) r).resolvable()).isFalse();
      assertThat(((FitResult.DoesNotFit) r).reason()).contains("CARD_MEMORY_TOO_SMALL");
    }

    @Test
    void moreCardsThanTheNodeHasIsUnresolvable() {
      FitResult r = fit(idle(node("n1").gpus(2, 8192)), pod("p").gpu(3, 10, 0).build(), SchedulingPolicy.BINPACK);
      assertThat(r).isEqualTo(new FitResult.DoesNotFit(
          "node n1: container c0 asks for 3 GPUs, the node has 2", false, RefusalCause.TOO_FEW_DEVICES, "c0",
          List.of()));
    }

    @Test
    void exclusiveCoresNeedAnIdleCard() {
      TestNodes b = node("n1").gpus(2, 8192);
      FitResult r = fit(usage(b, new long[] {100, 0}, new int[] {1, 0}), pod("p").gpu(1, 100, 100).build(),
          SchedulingPolicy.BINPACK);
      assertThat(uuids(r)).containsExactly("GPU-n1-1");
    }

    @Test
    void threeExclusiveCardsOfDifferentSizesFit() {
      TestNodes b = node("n1").gpu("GPU-a", 8000).gpu("GPU-b", 16000).gpu("GPU-c", 24000);
      FitResult r = fit(idle(b), pod("p").gpu(3, 0, 100).build(), SchedulingPolicy.BINPACK);
      assertThat(uuids(r)).containsExactlyInAnyOrder("GPU-a", "GPU-b", "GPU-c");
    }

    @Test
    void zeroCoreTaskCannotJoinAFullyCoredCard() {
      TestNodes b = node("n1").gpus(1, 8192);
      DeviceUsage<RegisteredGpu> full =
          DeviceUsage.idle(b.registered().get(0)).plus(new PodShare("x", "ns/x", "", 10, 100, false));
      NodeUsage<RegisteredGpu> u = new NodeUsage<>("n1", SharingMode.SOFT_LIMIT, List.of(full));
      FitResult r = fit(u, pod("p").gpu(1, 10, 0).build(), SchedulingPolicy.BINPACK);
      assertThat(((FitResult.DoesNotFit) r).reason()).contains("CARD_FULLY_CORED");
    }

    @Test
    void unhealthyCardIsSkipped() {
      TestNodes b = node("n1")
          .gpu(new RegisteredGpu("GPU-sick", 0, 10, 8192, "NVIDIA-T4", false, GpuMode.HAMI_CORE))
          .gpu(new RegisteredGpu("GPU-ok", 1, 10, 8192, "NVIDIA-T4", true, GpuMode.HAMI_CORE));
      assertThat(uuids(fit(idle(b), pod("p").gpu(1, 10, 0).build(), SchedulingPolicy.BINPACK)))
          .containsExactly("GPU-ok");
    }

    @Test
    void multiContainerPodGetsOneEntryPerGpuContainer() {
      PodView p = pod("p").gpu(2, 2000, 0).plainContainer().gpu(2, 3000, 0).build();
      FitResult r = fit(idle(node("n1").gpus(2, 8192)), p, SchedulingPolicy.BINPACK);
      var devices = ((FitResult.Fits) r).devices();
      assertThat(devices.containers()).hasSize(2);
      assertThat(devices.containers().get(0)).extracting(DeviceSlice::memoryUnits).containsExactly(2000L, 2000L);
      assertThat(devices.containers().get(1)).extracting(DeviceSlice::memoryUnits).containsExactly(3000L, 3000L);
    }

    @Test
    void laterContainersSeeEarlierContainersOfTheSamePod() {
      PodView p = pod("p").gpu(1, 5000, 0).gpu(1, 5000, 0).build();
      FitResult r = fit(idle(node("n1").gpus(1, 8192)), p, SchedulingPolicy.BINPACK);
      assertThat(r).isInstanceOf(FitResult.DoesNotFit.class);
    }
  }

  @Nested
  class PodGroupSpread {
    private final TestNodes twoCards = node("n1").split(4).gpus(2, 16384);

    private NodeUsage<RegisteredGpu> withGroupOnCard0(String group) {
      List<RegisteredGpu> reg = twoCards.registered();
      return new NodeUsage<>("n1", SharingMode.SOFT_LIMIT, List.of(
          DeviceUsage.idle(reg.get(0)).plus(new PodShare("x", "ns/x", group, 4096, 0, false)),
          DeviceUsage.idle(reg.get(1))));
    }

    private PodView member(boolean spread) {
      var b = pod("p").namespace("ns").gpu(1, 4096, 0).annotation(VgpuAnnotations.K8S_GROUP_NAME, "g");
      if (spread) {
        b.annotation(VgpuAnnotations.PODGROUP_POLICY, "spread");
      }
      return b.build();
    }

    @Test
    void sameGroupWithSpreadGoesToAnotherCard() {
      assertThat(uuids(fit(withGroupOnCard0("ns/g"), member(true), SchedulingPolicy.BINPACK)))
          .containsExactly("GPU-n1-1");
    }

    @Test
    void sameGroupWithoutSpreadMayShare() {
      assertThat(uuids(fit(withGroupOnCard0("ns/g"), member(false), SchedulingPolicy.BINPACK)))
          .containsExactly("GPU-n1-0");
    }

    @Test
    void differentGroupsWithSpreadShare() {
      assertThat(uuids(fit(withGroupOnCard0("ns/other"), member(true), SchedulingPolicy.BINPACK)))
          .containsExactly("GPU-n1-0");
    }

    @Test
    void sameGroupWithSpreadOnASingleCardIsRejected() {
      TestNodes one = node("n1").split(4).gpus(1, 16384);
      NodeUsage<RegisteredGpu> u = new NodeUsage<>("n1", SharingMode.SOFT_LIMIT, List.of(
          DeviceUsage.idle(one.registered().get(0)).plus(new PodShare("x", "ns/x", "ns/g", 4096, 0, false))));
      FitResult r = fit(u, member(true), SchedulingPolicy.BINPACK);
      assertThat(((FitResult.DoesNotFit) r).reason()).contains("PODGROUP_SPREAD");
    }

    @Test
    void releasedEntriesWithNoMemoryAndNoCoresDoNotCount() {
      TestNodes one = node("n1").split(4).gpus(1, 16384);
      NodeUsage<RegisteredGpu> u = new NodeUsage<>("n1", SharingMode.SOFT_LIMIT, List.of(
          DeviceUsage.idle(one.registered().get(0)).plus(new PodShare("x", "ns/x", "ns/g", 0, 0, false))));
      assertThat(fit(u, member(true), SchedulingPolicy.BINPACK)).isInstanceOf(FitResult.Fits.class);
    }

    @Test
    void groupKeyPrefersTheKubernetesAnnotation() {
      PodView p = pod("p").namespace("ns").annotation(VgpuAnnotations.K8S_GROUP_NAME, "a")
          .annotation(VgpuAnnotations.VOLCANO_GROUP_NAME, "b").build();
      assertThat(vendor.groupKey(p)).isEqualTo("ns/a");
      assertThat(vendor.groupKey(pod("q").namespace("ns").annotation(VgpuAnnotations.VOLCANO_GROUP_NAME, "b")
          .build())).isEqualTo("ns/b");
      assertThat(vendor.groupKey(pod("r").build())).isEmpty();
    }
  }

  @Test
  void podRequiringAnotherModeDoesNotFit() {
    PodView p = pod("p").gpu(1, 10, 0).annotation(VgpuAnnotations.VGPU_MODE, "mig").build();
    FitResult r = fit(idle(node("n1").gpus(1, 100)), p, SchedulingPolicy.BINPACK);
    assertThat(((FitResult.DoesNotFit) r).reason())
        .isEqualTo("pod required sharing mode mig is not the same as node n1 mode hami-core");
  }

  @Test
  void allocationAnnotationsAreVolcanosSixKeys() {
    var devices = new io.github.volcanovgpu.contract.device.PodDevices(
        List.of(List.of(DeviceSlice.nvidia("GPU-a", 3000, 50))));
    Map<String, String> a = vendor.allocationAnnotations("n1", devices, Instant.ofEpochSecond(1764331200));
    assertThat(a).containsExactly(
        Map.entry("volcano.sh/vgpu-node", "n1"),
        Map.entry("volcano.sh/vgpu-time", "1764331200"),
        Map.entry("volcano.sh/vgpu-ids-new", "GPU-a,NVIDIA,3000,50:"),
        Map.entry("volcano.sh/devices-to-allocate", "GPU-a,NVIDIA,3000,50:"),
        Map.entry("volcano.sh/bind-phase", "allocating"),
        Map.entry("volcano.sh/bind-time", "1764331200"));
  }

  @Test
  void configuredResourceNamesReplaceVolcanos() {
    NvidiaVendor hami = new NvidiaVendor(
        new ResourceNames("nvidia.com/gpu", "nvidia.com/gpumem", "", "nvidia.com/gpucores"), List.of());
    PodView p = pod("p").container("c", Map.of("nvidia.com/gpu", "1", "nvidia.com/gpumem", "100"), Map.of())
        .build();
    assertThat(hami.demand(p)).isPresent();
    assertThat(hami.demand(pod("q").gpu(1, 100, 0).build())).isEmpty();
  }
}
