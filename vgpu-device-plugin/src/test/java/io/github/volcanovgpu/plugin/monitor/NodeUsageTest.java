package io.github.volcanovgpu.plugin.monitor;

import static io.github.volcanovgpu.plugin.monitor.Regions.GPU0;
import static io.github.volcanovgpu.plugin.monitor.Regions.GPU1;
import static io.github.volcanovgpu.plugin.monitor.Regions.MIB;
import static io.github.volcanovgpu.plugin.monitor.Regions.container;
import static io.github.volcanovgpu.plugin.monitor.Regions.kubelet;
import static io.github.volcanovgpu.plugin.monitor.Regions.region;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.CardUsage;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.PhysicalGpu;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeUsageTest {
  private static final List<PhysicalGpu> GPUS = List.of(
      new PhysicalGpu(GPU1, 1, "NVIDIA A100-SXM4-80GB", 81920, -1, true),
      new PhysicalGpu(GPU0, 0, "NVIDIA A100-SXM4-80GB", 81920, -1, true));

  @Test
  void containerIsNamedByTheKubeletsContainerHoldingItsCardsAndReportsLiveUse() {
    NodeUsage u = NodeUsage.compose(List.of(container("uid-a", "main", "ns/a", GPU0, region(1024, 300, 4001, 4002))),
        List.of(kubelet("ns", "a", "main", GPU0 + "-3", "0-17"), kubelet("ns", "b", "main", GPU1 + "-0")), GPUS,
        List.of(new CardUsage(GPU0, 700 * MIB, 40, List.of(new CardUsage.ProcessUsage(4001, 310 * MIB, 25),
            new CardUsage.ProcessUsage(4002, 300 * MIB, 10)))));

    assertThat(u.containers()).containsExactly(new ContainerCard("ns", "a", "uid-a", "main", 0, GPU0, 600 * MIB,
        1024 * MIB, 35, 1_760_000_000L));
    assertThat(u.findings()).isEmpty();
    assertThat(u.unresolved()).isZero();
  }

  @Test
  void hostRowsFollowTheMinorNumbersWithTheDriversFigures() {
    NodeUsage u = NodeUsage.compose(List.of(), List.of(), GPUS, List.of(new CardUsage(GPU1, 5 * MIB, 70, List.of())));

    assertThat(u.hosts()).containsExactly(new HostCard(0, GPU0, "NVIDIA-NVIDIA A100-SXM4-80GB", 0, 0),
        new HostCard(1, GPU1, "NVIDIA-NVIDIA A100-SXM4-80GB", 5 * MIB, 70));
  }

  @Test
  void twoPodsWithTheSameContainerNameOnTheSameCardAreToldApartByThePodFile() {
    List<PodContainer> kubelet = List.of(kubelet("ns", "a", "main", GPU0 + "-0"), kubelet("ns", "b", "main",
        GPU0 + "-1"));

    NodeUsage u = NodeUsage.compose(List.of(container("uid-a", "main", "ns/a", GPU0, region(1024, 1, 11)),
        container("uid-b", "main", "ns/b", GPU0, region(2048, 2, 12))), kubelet, GPUS, List.of());

    assertThat(u.containers()).extracting(ContainerCard::pod, ContainerCard::memoryLimitBytes).containsExactly(
        org.assertj.core.groups.Tuple.tuple("a", 1024 * MIB), org.assertj.core.groups.Tuple.tuple("b", 2048 * MIB));
  }

  @Test
  void aRegionWithoutPodFileIsLeftUnresolvedWhenTwoContainersCouldOwnIt() {
    NodeUsage u = NodeUsage.compose(List.of(container("uid-a", "main", "", GPU0, region(1024, 1, 11))),
        List.of(kubelet("ns", "a", "main", GPU0 + "-0"), kubelet("ns", "b", "main", GPU0 + "-1")), GPUS, List.of());

    assertThat(u.containers()).isEmpty();
    assertThat(u.unresolved()).isEqualTo(1);
  }

  @Test
  void aRegionOfAPodTheKubeletNoLongerListsIsUnresolved() {
    NodeUsage u = NodeUsage.compose(List.of(container("uid-gone", "main", "ns/gone", GPU0, region(1024, 0))),
        List.of(kubelet("ns", "other", "main", GPU0 + "-0")), GPUS, List.of());

    assertThat(u.containers()).isEmpty();
    assertThat(u.unresolved()).isEqualTo(1);
  }

  @Test
  void driverMemoryOfTheContainersProcessesBeyondTheShareIsAShareExceeded() {
    NodeUsage u = NodeUsage.compose(List.of(container("uid-a", "main", "ns/a", GPU0, region(1024, 900, 4001))),
        List.of(kubelet("ns", "a", "main", GPU0 + "-0")), GPUS,
        List.of(new CardUsage(GPU0, 2000 * MIB, 0, List.of(new CardUsage.ProcessUsage(4001, 1500 * MIB, 0)))));

    assertThat(u.findings()).singleElement().isInstanceOfSatisfying(UsageFinding.ShareExceeded.class, e -> {
      assertThat(e.usedBytes()).isEqualTo(1500 * MIB);
      assertThat(e.limitBytes()).isEqualTo(1024 * MIB);
      assertThat(e.card().pod()).isEqualTo("a");
    });
  }

  @Test
  void aProcessNoRegionClaimsOnThatCardIsUnexplained() {
    NodeUsage u = NodeUsage.compose(List.of(container("uid-a", "main", "ns/a", GPU0, region(1024, 10, 4001))),
        List.of(kubelet("ns", "a", "main", GPU0 + "-0")), GPUS, List.of(
            new CardUsage(GPU0, 0, 0, List.of(new CardUsage.ProcessUsage(4001, 10 * MIB, 0),
                new CardUsage.ProcessUsage(5000, 64 * MIB, 0))),
            // the container's process on a card it has no share of
            new CardUsage(GPU1, 0, 0, List.of(new CardUsage.ProcessUsage(4001, 8 * MIB, 0)))));

    assertThat(u.findings()).containsExactlyInAnyOrder(new UsageFinding.UnexplainedProcess(GPU0, 5000, 64 * MIB),
        new UsageFinding.UnexplainedProcess(GPU1, 4001, 8 * MIB));
  }

  @Test
  void noProcessIsCalledUnexplainedOnACardWhereAClaimingProcessHasNoHostPidYet() {
    NodeUsage u = NodeUsage.compose(List.of(container("uid-a", "main", "ns/a", GPU0, region(1024, 10, 0))),
        List.of(kubelet("ns", "a", "main", GPU0 + "-0")), GPUS,
        List.of(new CardUsage(GPU0, 0, 0, List.of(new CardUsage.ProcessUsage(5000, 10 * MIB, 0)))));

    assertThat(u.findings()).isEmpty();
  }

  @Test
  void deviceIdsNameTheirCardInEveryFormTheKindsUse() {
    assertThat(NodeUsage.cardsHeld(List.of(GPU0 + "-7", GPU1 + "::2", "0-123", "GPU-unknown-1"),
        java.util.Set.of(GPU0, GPU1))).containsExactlyInAnyOrder(GPU0, GPU1);
  }
}
