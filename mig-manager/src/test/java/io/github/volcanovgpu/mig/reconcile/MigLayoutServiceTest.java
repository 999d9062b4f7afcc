package io.github.volcanovgpu.mig.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.contract.config.MigGeometry;
import io.github.volcanovgpu.mig.gpu.FakeMigGpus;
import io.github.volcanovgpu.mig.gpu.MigDevice;
import io.github.volcanovgpu.mig.profile.ProfileCatalogue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MigLayoutServiceTest {
  private final ProfileCatalogue catalogue = ProfileCatalogue.builtIn();
  private final FakeMigGpus gpus = new FakeMigGpus();
  private final MigReconciler reconciler = new MigReconciler(gpus, catalogue);
  private final MigLayoutService service = new MigLayoutService(gpus, reconciler);
  private final int gpu = gpus.addGpu(catalogue.byName("A100-40GB").orElseThrow(), "GPU-a");

  /** Volcano's docs example group2: 3 x 2g.10gb then 1 x 1g.5gb; positions 0-2 are 2g, 3 is the 1g. */
  private static final List<GroupInstance> GROUP2 =
      List.of(new GroupInstance("2g.10gb", 3), new GroupInstance("1g.5gb", 1));

  @Test
  void bringsAnIdleGpuToTheGroupLayoutAndResolvesPositions() {
    MigDevice d3 = service.ensure("GPU-a", GROUP2, 3);
    assertThat(d3.profile()).isEqualTo("1g.5gb");
    assertThat(reconciler.currentLayout(gpu)).isEqualTo(Map.of("2g.10gb", 3, "1g.5gb", 1));
    MigDevice d0 = service.ensure("GPU-a", GROUP2, 0);
    MigDevice d2 = service.ensure("GPU-a", GROUP2, 2);
    assertThat(List.of(d0.start(), d2.start())).containsExactly(0, 4);
    assertThat(d0.profile()).isEqualTo("2g.10gb");
    assertThat(service.ensure("GPU-a", GROUP2, 0)).isEqualTo(d0);
  }

  @Test
  void keepsAMatchingLayoutEvenWithRunningClients() {
    service.ensure("GPU-a", GROUP2, 0);
    gpus.setRunningClients(gpu, true);
    assertThat(service.ensure("GPU-a", GROUP2, 1).profile()).isEqualTo("2g.10gb");
  }

  @Test
  void refusesToReLayoutAGpuWithRunningClients() {
    service.ensure("GPU-a", GROUP2, 0);
    gpus.setRunningClients(gpu, true);
    List<GroupInstance> group1 = List.of(new GroupInstance("1g.5gb", 7));
    assertThatThrownBy(() -> service.ensure("GPU-a", group1, 0))
        .isInstanceOfSatisfying(MigApplyException.class, e -> assertThat(e.busy()).isTrue())
        .hasMessageContaining("running MIG clients");
    assertThat(reconciler.currentLayout(gpu)).isEqualTo(Map.of("2g.10gb", 3, "1g.5gb", 1));
  }

  @Test
  void deviceIdsFromTheSchedulerResolveThroughKnownMigGeometries() {
    List<MigGeometry> known = List.of(new MigGeometry(List.of("A100-SXM4-40GB", "A100-PCIE-40GB"), List.of(
        new MigGeometry.Group("group1", List.of(new MigGeometry.Instance("1g.5gb", 5120, 7))),
        new MigGeometry.Group("group2", List.of(new MigGeometry.Instance("2g.10gb", 10240, 3),
            new MigGeometry.Instance("1g.5gb", 5120, 1))))));
    assertThat(service.ensure("GPU-a[group2-3]", known).profile()).isEqualTo("1g.5gb");
    assertThat(reconciler.currentLayout(gpu)).isEqualTo(Map.of("2g.10gb", 3, "1g.5gb", 1));
    assertThatThrownBy(() -> service.ensure("GPU-a[group9-0]", known))
        .hasMessage("knownMigGeometries has no group group9 for NVIDIA A100-SXM4-40GB");
    assertThatThrownBy(() -> service.ensure("GPU-a[group1-0]", List.of()))
        .hasMessage("knownMigGeometries has no entry for GPU model NVIDIA A100-SXM4-40GB");
    assertThatThrownBy(() -> service.ensure("GPU-a", known)).isInstanceOf(MigApplyException.class)
        .hasMessageContaining("not a MIG slice id");
  }

  @Test
  void unknownGpuAndBadPositionAreClearErrors() {
    assertThatThrownBy(() -> service.ensure("GPU-zzz", GROUP2, 0)).hasMessage("no GPU with UUID GPU-zzz on this node");
    assertThatThrownBy(() -> service.ensure("GPU-a", GROUP2, 4)).hasMessageStartingWith("position 4 is outside");
  }

  @Test
  void sliceIdsParseLikeVolcanoWritesThem() {
    MigSliceId id = MigSliceId.parse("GPU-0fc3-1448[group2-3]");
    assertThat(id).isEqualTo(new MigSliceId("GPU-0fc3-1448", "group2", 3));
    assertThat(MigSliceId.parse("GPU-a[my-group-0]").group()).isEqualTo("my-group");
    assertThat(id.toString()).isEqualTo("GPU-0fc3-1448[group2-3]");
    assertThat(MigSliceId.isMigId("GPU-a")).isFalse();
    assertThatThrownBy(() -> MigSliceId.parse("GPU-a[group2]")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MigSliceId.parse("GPU-a[g-x]")).hasMessageContaining("position is not a number");
  }
}
