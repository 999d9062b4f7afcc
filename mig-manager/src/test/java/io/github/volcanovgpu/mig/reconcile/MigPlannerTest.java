package io.github.volcanovgpu.mig.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.mig.profile.GpuModel;
import io.github.volcanovgpu.mig.profile.ProfileCatalogue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MigPlannerTest {
  private final MigPlanner planner = new MigPlanner();
  private final GpuModel a100 = ProfileCatalogue.builtIn().byName("A100-40GB").orElseThrow();

  private static Map<String, Integer> layout(Object... kv) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (Integer) kv[i + 1]);
    }
    return m;
  }

  private List<Placement> planned(Map<String, Integer> layout) {
    PlanResult r = planner.plan(a100, layout);
    assertThat(r).isInstanceOf(PlanResult.Planned.class);
    return ((PlanResult.Planned) r).placements();
  }

  @Test
  void threeTwoOneOnePlacesTheThreeGFirstAndBacktracks() {
    List<Placement> p = planned(layout("1g.5gb", 2, "2g.10gb", 1, "3g.20gb", 1));
    assertThat(p.get(0).profile().name()).isEqualTo("3g.20gb");
    assertThat(planner.violation(a100, p)).isEmpty();
    assertThat(p).extracting(Placement::toString)
        .containsExactly("3g.20gb@4:4", "2g.10gb@0:2", "1g.5gb@2:1", "1g.5gb@3:1");
  }

  @Test
  void sevenOneGAndFourPlusThreeFit() {
    assertThat(planned(layout("1g.5gb", 7))).extracting(Placement::start).containsExactly(0, 1, 2, 3, 4, 5, 6);
    assertThat(planned(layout("4g.20gb", 1, "3g.20gb", 1))).extracting(Placement::toString)
        .containsExactly("4g.20gb@0:4", "3g.20gb@4:4");
  }

  @Test
  void impossibleLayoutsSayWhy() {
    assertThat(planner.plan(a100, layout("1g.5gb", 8)))
        .isEqualTo(new PlanResult.Impossible("A100-40GB holds at most 7 x 1g.5gb, 8 requested"));
    assertThat(((PlanResult.Impossible) planner.plan(a100, layout("1g.18gb", 1))).reason())
        .startsWith("profile 1g.18gb is not available on A100-40GB (available: 1g.5gb, ");
    assertThat(((PlanResult.Impossible) planner.plan(a100, layout("7g.40gb", 1, "1g.5gb", 1))).reason())
        .contains("needs 8 compute slices");
    assertThat(((PlanResult.Impossible) planner.plan(a100, layout("1g.10gb", 4, "1g.5gb", 1))).reason())
        .contains("no set of non-overlapping placements");
  }

  @Test
  void emptyLayoutPlansNothing() {
    assertThat(planned(layout())).isEmpty();
    assertThat(planned(layout("1g.5gb", 0))).isEmpty();
  }

  @Test
  void smallestChangeAddsWithoutRemovingWhenThereIsRoom() {
    List<Placement> current = planned(layout("3g.20gb", 1));
    ChangeResult r = planner.smallestChange(a100, current, Set.of(), "2g.10gb");
    assertThat(r).isInstanceOf(ChangeResult.Change.class);
    assertThat(((ChangeResult.Change) r).remove()).isEmpty();
  }

  @Test
  void smallestChangeRemovesTheFewestIdleInstances() {
    List<Placement> current = planned(layout("1g.5gb", 7));
    Set<Placement> busy = Set.of(current.get(0), current.get(1));
    ChangeResult r = planner.smallestChange(a100, current, busy, "3g.20gb");
    assertThat(r).isInstanceOf(ChangeResult.Change.class);
    ChangeResult.Change c = (ChangeResult.Change) r;
    assertThat(c.remove()).hasSize(3).doesNotContainAnyElementsOf(busy);
    assertThat(c.add().start()).isEqualTo(4);
    List<Placement> after = new java.util.ArrayList<>(current);
    after.removeAll(c.remove());
    after.add(c.add());
    assertThat(planner.violation(a100, after)).isEmpty();
  }

  @Test
  void smallestChangeNeverDestroysBusyInstances() {
    List<Placement> current = planned(layout("1g.5gb", 7));
    ChangeResult r = planner.smallestChange(a100, current, Set.copyOf(current), "1g.10gb");
    assertThat(r).isInstanceOf(ChangeResult.NoRoom.class);
    assertThat(((ChangeResult.NoRoom) r).reason()).startsWith("no room for 1g.10gb on A100-40GB");
  }
}
