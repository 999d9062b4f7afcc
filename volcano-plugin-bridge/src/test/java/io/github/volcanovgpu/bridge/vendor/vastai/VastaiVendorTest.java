package io.github.volcanovgpu.bridge.vendor.vastai;

import static io.github.volcanovgpu.bridge.testing.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.bridge.device.Allocation;
import io.github.volcanovgpu.bridge.device.FitResult;
import io.github.volcanovgpu.bridge.device.Inventory;
import io.github.volcanovgpu.bridge.device.NodeUsage;
import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.ledger.Ledger;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.testing.HamiNodes;
import io.github.volcanovgpu.contract.config.VastaiDeviceConfig;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.SharingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VastaiVendorTest {
  private final VastaiVendor vendor = new VastaiVendor(VastaiDeviceConfig.defaults());

  private NodeUsage<VastaiDevice> usage(NodeView view) {
    Inventory.Registered<VastaiDevice> reg = (Inventory.Registered<VastaiDevice>) vendor.inventory(view);
    return new Ledger<>(vendor, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), Duration.ofMinutes(5))
        .usage(view, reg.mode(), reg.devices(), "");
  }

  private FitResult fit(NodeView view, PodView pod, SchedulingPolicy policy) {
    return vendor.fit(usage(view), pod, vendor.demand(pod).orElseThrow(), policy);
  }

  private static List<String> ids(FitResult r) {
    assertThat(r).isInstanceOf(FitResult.Fits.class);
    return ((FitResult.Fits) r).devices().allSlices().stream().map(DeviceSlice::uuid).toList();
  }

  private static String reason(FitResult r) {
    assertThat(r).isInstanceOf(FitResult.DoesNotFit.class);
    return ((FitResult.DoesNotFit) r).reason();
  }

  private static PodView holding(String name, String devices) {
    return pod(name).phase("Running").annotation("hami.io/Vastai-devices-allocated", devices).va(1).build();
  }

  /** Two cards of four dies; card 0 already gives one die away. */
  private static NodeView twoCards() {
    return HamiNodes.vastai("n1").dies(2, 4).pod(holding("old", "n1-va0-die0,Vastai,0,0:;")).build();
  }

  @Test
  void theRegistrationsFirstDeviceDecidesDieMode() {
    assertThat(((Inventory.Registered<VastaiDevice>) vendor.inventory(twoCards())).mode()).isEqualTo(SharingMode.DIE);
    assertThat(((Inventory.Registered<VastaiDevice>) vendor.inventory(HamiNodes.vastai("n1").cards(2).build()))
        .mode()).isEqualTo(SharingMode.EXCLUSIVE);
  }

  @Test
  void aContainersDiesLandOnOneCardTheTightestUnderBinpack() {
    assertThat(ids(fit(twoCards(), pod("p").va(3).build(), SchedulingPolicy.BINPACK)))
        .containsExactlyInAnyOrder("n1-va0-die1", "n1-va0-die2", "n1-va0-die3");
  }

  @Test
  void spreadTakesTheRoomiestCard() {
    assertThat(ids(fit(twoCards(), pod("p").va(2).build(), SchedulingPolicy.SPREAD)))
        .allMatch(id -> id.startsWith("n1-va1-"));
  }

  @Test
  void diesSpillOverOnlyWhenNoCardHoldsTheRequest() {
    NodeView n = HamiNodes.vastai("n1").dies(2, 2).build();
    FitResult r = fit(n, pod("p").va(3).build(), SchedulingPolicy.BINPACK);
    assertThat(ids(r)).hasSize(3);
    assertThat(((FitResult.Fits) r).score()).isGreaterThanOrEqualTo(2.0 / 3);
  }

  @Test
  void theSeedsCardSelectorsRestrictTheCards() {
    PodView use = pod("p").annotation("vastaitech.com/use-va", "1").va(2).build();
    assertThat(ids(fit(twoCards(), use, SchedulingPolicy.BINPACK))).allMatch(id -> id.startsWith("n1-va1-"));
    PodView nouse = pod("p").annotation("vastaitech.com/nouse-va", "0,1").va(1).build();
    assertThat(reason(fit(twoCards(), nouse, SchedulingPolicy.BINPACK))).contains("8/8 CARD_DENIED");
  }

  @Test
  void aDieIsGivenToOneContainerAndMutexKeepsBusyCardsWhole() {
    NodeView n = HamiNodes.vastai("n1").dies(2, 2).pod(holding("old", "n1-va0-die0,Vastai,0,0:;")).build();
    assertThat(reason(fit(n, pod("p").va(4).build(), SchedulingPolicy.BINPACK)))
        .contains("needs 4 dies, not enough fit (1/4 IN_USE");
    PodView mutex = pod("p").annotation("hami.io/gpu-scheduler-policy", "mutex").va(2).build();
    assertThat(ids(fit(n, mutex, SchedulingPolicy.BINPACK))).allMatch(id -> id.startsWith("n1-va1-"));
  }

  @Test
  void fullCardModeGivesWholeCardsAndHonoursUuidLists() {
    NodeView n = HamiNodes.vastai("n1").cards(3).build();
    assertThat(ids(fit(n, pod("p").va(2).build(), SchedulingPolicy.NONE))).hasSize(2);
    PodView p = pod("p").annotation("vastaitech.com/use-gpuuuid", "n1-va2").va(1).build();
    assertThat(ids(fit(n, p, SchedulingPolicy.NONE))).containsExactly("n1-va2");
  }

  @Test
  void annotationsAreHamisDeviceListsAndCommonKeys() {
    NodeView n = HamiNodes.vastai("n1").cards(1).build();
    PodView p = pod("p").va(1).build();
    FitResult r = fit(n, p, SchedulingPolicy.NONE);
    Map<String, String> a = vendor.allocationAnnotations(new Allocation<>(usage(n), p, ((FitResult.Fits) r).devices(),
        Instant.ofEpochSecond(7)));
    assertThat(a).containsExactly(
        Map.entry("hami.io/Vastai-devices-to-allocate", "n1-va0,Vastai,0,0:;"),
        Map.entry("hami.io/Vastai-devices-allocated", "n1-va0,Vastai,0,0:;"),
        Map.entry("hami.io/vgpu-node", "n1"),
        Map.entry("hami.io/vgpu-time", "7"),
        Map.entry("hami.io/bind-phase", "allocating"),
        Map.entry("hami.io/bind-time", "7"));
  }

  @Test
  void implausibleCountsAreRefused() {
    assertThatThrownBy(() -> vendor.demand(pod("p").va(100).build()))
        .hasMessageContaining("vastaitech.com/va: 100 is not a plausible number of devices");
  }
}
