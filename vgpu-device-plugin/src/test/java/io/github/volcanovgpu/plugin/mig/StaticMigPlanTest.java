package io.github.volcanovgpu.plugin.mig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.PhysicalGpu;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaticMigPlanTest {
  private static final String COUNT = "volcano.sh/vgpu-number";

  private static MigCard card(String uuid, boolean enabled, String... profiles) {
    PhysicalGpu gpu = new PhysicalGpu(uuid, uuid.hashCode() & 0xff, "NVIDIA A100-SXM4-40GB", 40960, -1, true);
    List<MigInstance> instances = new ArrayList<>();
    for (int i = 0; i < profiles.length; i++) {
      instances.add(new MigInstance("MIG-" + uuid + "-" + i, uuid, 0, 0, i, i + 1, 0, profiles[i], -1));
    }
    return new MigCard(gpu, 0, enabled, instances);
  }

  @Test
  void noneKeepsEveryCardWholeEvenWithMigOn() {
    StaticMigPlan plan = StaticMigPlan.plan(MigStrategy.NONE, List.of(card("GPU-a", true, "1g.5gb"),
        card("GPU-b", false)), COUNT);

    assertThat(plan.vgpuCards()).extracting(PhysicalGpu::uuid).containsExactly("GPU-a", "GPU-b");
    assertThat(plan.migResources()).isEmpty();
  }

  @Test
  void singlePutsEveryMigDeviceUnderTheCountResourceAndNoCardWhole() {
    StaticMigPlan plan = StaticMigPlan.plan(MigStrategy.SINGLE, List.of(card("GPU-a", true, "3g.20gb", "3g.20gb"),
        card("GPU-b", true, "3g.20gb")), COUNT);

    assertThat(plan.vgpuCards()).isEmpty();
    assertThat(plan.migResources()).containsOnlyKeys(COUNT);
    assertThat(plan.migResources().get(COUNT)).extracting(MigInstance::uuid)
        .containsExactly("MIG-GPU-a-0", "MIG-GPU-a-1", "MIG-GPU-b-0");
  }

  @Test
  void singleWithoutAnyMigCardIsNone() {
    StaticMigPlan plan = StaticMigPlan.plan(MigStrategy.SINGLE, List.of(card("GPU-a", false)), COUNT);

    assertThat(plan.vgpuCards()).hasSize(1);
    assertThat(plan.migResources()).isEmpty();
  }

  @Test
  void singleRejectsMixedModesEmptyMigCardsAndSeveralProfiles() {
    assertThatThrownBy(() -> StaticMigPlan.plan(MigStrategy.SINGLE, List.of(card("GPU-a", true, "1g.5gb"),
        card("GPU-b", false)), COUNT)).isInstanceOf(MigSetupException.class)
        .hasMessage("mig-strategy single: all GPUs on the node must have the same MIG mode (MIG on: [GPU-a], off:"
            + " [GPU-b]); enable MIG on every GPU or use --mig-strategy mixed");
    assertThatThrownBy(() -> StaticMigPlan.plan(MigStrategy.SINGLE, List.of(card("GPU-a", true)), COUNT))
        .isInstanceOf(MigSetupException.class).hasMessageContaining("GPU-a has MIG on but no MIG device");
    assertThatThrownBy(() -> StaticMigPlan.plan(MigStrategy.SINGLE, List.of(card("GPU-a", true, "1g.5gb"),
        card("GPU-b", true, "2g.10gb")), COUNT)).isInstanceOf(MigSetupException.class)
        .hasMessageContaining("found [1g.5gb, 2g.10gb]").hasMessageContaining("{1g.5gb=[GPU-a], 2g.10gb=[GPU-b]}");
  }

  @Test
  void mixedGivesOneResourcePerProfileAndKeepsCardsWithoutMigWhole() {
    StaticMigPlan plan = StaticMigPlan.plan(MigStrategy.MIXED, List.of(
        card("GPU-a", true, "1g.5gb", "1g.5gb+me", "3g.20gb"), card("GPU-b", false), card("GPU-c", true, "1g.5gb")),
        COUNT);

    assertThat(plan.vgpuCards()).extracting(PhysicalGpu::uuid).containsExactly("GPU-b");
    assertThat(plan.migResources()).containsOnlyKeys("nvidia.com/mig-1g.5gb", "nvidia.com/mig-1g.5gb.me",
        "nvidia.com/mig-3g.20gb");
    assertThat(plan.migResources().get("nvidia.com/mig-1g.5gb")).extracting(MigInstance::uuid)
        .containsExactly("MIG-GPU-a-0", "MIG-GPU-c-0");
  }

  @Test
  void strategyNamesParseAndBadOnesAreClearErrors() {
    assertThat(MigStrategy.parse("Mixed")).isEqualTo(MigStrategy.MIXED);
    assertThatThrownBy(() -> MigStrategy.parse("dynamic"))
        .hasMessage("unknown MIG strategy \"dynamic\" (want none, single or mixed)");
  }

  @Test
  void syntheticMinorsAreLaidOutLikeTheDriver() {
    var minors = io.github.volcanovgpu.cdi.nvidia.MigMinors.parse(MigMinorsFile.synthetic(2));

    assertThat(minors.giAccess(0, 0)).isEqualTo(3);
    assertThat(minors.ciAccess(0, 0, 0)).isEqualTo(4);
    assertThat(minors.giAccess(0, 1)).isEqualTo(12);
    assertThat(minors.giAccess(1, 0)).isEqualTo(3 + 135);
  }
}
