package io.github.volcanovgpu.bridge.vendor.nvidia;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.contract.config.MigGeometry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scenarios of Volcano's {@code mig_test.go} (reference volcano-vgpu.md §4) against one card's state. */
class MigCardStateTest {
  private static MigGeometry.Instance inst(String name, long memory, int count) {
    return new MigGeometry.Instance(name, memory, count);
  }

  /** A100-80GB-like groups: group1 = 7 x 1g.10gb; group2 = 1g.10gb x 1 + 2g.20gb x 3 (HAMi layout order). */
  private static final List<MigGeometry.Group> GROUPS = List.of(
      new MigGeometry.Group("group1", List.of(inst("1g.10gb", 10240, 7))),
      new MigGeometry.Group("group2", List.of(inst("1g.10gb", 10240, 1), inst("2g.20gb", 20480, 3))));

  private static MigCardState card() {
    return new MigCardState("GPU-a", GROUPS);
  }

  @Test
  void findMatchPicksAnAvailableOneGTenGb() {
    MigCardState.Match m = card().findMatch(8000);
    assertThat(m).isEqualTo(new MigCardState.Match(0, 0, "1g.10gb", 10240));
  }

  @Test
  void requestLargerThanAnyInstanceHasNoMatch() {
    assertThat(card().findMatch(30000)).isNull();
  }

  @Test
  void emptyGeometryHasNoMatch() {
    assertThat(new MigCardState("GPU-a", List.of()).findMatch(1)).isNull();
    assertThat(new MigCardState("GPU-a", List.of(new MigGeometry.Group("g", List.of()))).findMatch(1)).isNull();
  }

  @Test
  void inUseSlotIsSkipped() {
    MigCardState c = card();
    assertThat(c.add("GPU-a[group1-0]")).isEqualTo(1);
    assertThat(c.findMatch(8000).position()).isEqualTo(1);
  }

  @Test
  void firstMatchingTemplateIsChosenAndAnAdoptedGroupIsKept() {
    MigCardState c = card();
    // 15 GB does not fit group1; group2's 2g.20gb (positions 1-3) does
    MigCardState.Match m = c.findMatch(15000);
    assertThat(m).isEqualTo(new MigCardState.Match(1, 1, "2g.20gb", 20480));
    assertThat(c.take(m)).isEqualTo("GPU-a[group2-1]");
    // group2 is adopted: a small request now takes group2's 1g.10gb at position 0, not group1
    assertThat(c.findMatch(1000)).isEqualTo(new MigCardState.Match(1, 0, "1g.10gb", 10240));
  }

  @Test
  void smallerRequestStillMatchesSmallestFittingType() {
    assertThat(card().findMatch(1).instance()).isEqualTo("1g.10gb");
  }

  @Test
  void addAndRemoveBookkeeping() {
    MigCardState c = card();
    assertThat(c.add("GPU-a[group2-3]")).isEqualTo(1);
    assertThat(c.adoptedGroup()).isEqualTo(1);
    assertThat(c.add("GPU-a[group2-3]")).as("double add").isEqualTo(0);
    assertThat(c.remove("GPU-a[group2-2]")).as("sub from an unused slot").isEqualTo(0);
    assertThat(c.remove("GPU-a[nogroup-0]")).as("unknown group").isEqualTo(0);
    assertThat(c.add("GPU-a[nogroup-0]")).as("unknown group").isEqualTo(0);
    assertThat(c.add("GPU-a[group2-9]")).as("position out of range").isEqualTo(0);
    assertThat(c.remove("GPU-a[group2-3]")).isEqualTo(1);
    assertThat(c.adoptedGroup()).as("last slot freed releases the group").isEqualTo(-1);
  }

  @Test
  void memoryFactorTwoMakesASixGbRequestMatchOneGTenGb() {
    // request of 3000 units x factor 2 = 6000 MiB, matched against MiB instance memory
    assertThat(card().findMatch(3000L * 2).instance()).isEqualTo("1g.10gb");
  }

  @Test
  void sharesOfTwoGroupsOrAWholeCardShareBlockTheCard() {
    MigCardState c = card();
    c.add("GPU-a[group1-0]");
    c.add("GPU-a[group2-1]");
    assertThat(c.blocked()).isTrue();
    assertThat(c.findMatch(1)).isNull();
    MigCardState whole = card();
    whole.add("GPU-a");
    assertThat(whole.findMatch(1)).isNull();
  }

  @Test
  void geometryIsTheFirstEntryWhoseModelIsASubstringOfTheType() {
    List<MigGeometry> geometries = List.of(
        new MigGeometry(List.of("A30"), List.of(GROUPS.get(0))),
        new MigGeometry(List.of("H100", "A100-SXM4-80GB"), GROUPS));
    assertThat(MigCardState.groupsFor(geometries, "NVIDIA-NVIDIA A100-SXM4-80GB")).isEqualTo(GROUPS);
    assertThat(MigCardState.groupsFor(geometries, "NVIDIA-NVIDIA A30")).containsExactly(GROUPS.get(0));
    assertThat(MigCardState.groupsFor(geometries, "NVIDIA-Tesla T4")).isEmpty();
  }
}
