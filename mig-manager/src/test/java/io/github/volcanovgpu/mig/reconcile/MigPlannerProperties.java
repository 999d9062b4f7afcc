package io.github.volcanovgpu.mig.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.mig.gpu.FakeMigGpus;
import io.github.volcanovgpu.mig.layout.MigConfigCodec;
import io.github.volcanovgpu.mig.layout.MigConfigEntry;
import io.github.volcanovgpu.mig.layout.MigConfigSpec;
import io.github.volcanovgpu.mig.profile.GpuModel;
import io.github.volcanovgpu.mig.profile.MigProfile;
import io.github.volcanovgpu.mig.profile.ProfileCatalogue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class MigPlannerProperties {
  private static final ProfileCatalogue CATALOGUE = ProfileCatalogue.builtIn();
  private final MigPlanner planner = new MigPlanner();

  record Request(GpuModel model, Map<String, Integer> layout) {}

  @Provide
  Arbitrary<Request> requests() {
    return Arbitraries.of(CATALOGUE.models()).flatMap(model -> {
      List<Arbitrary<Integer>> counts = new ArrayList<>();
      for (MigProfile p : model.profiles()) {
        counts.add(Arbitraries.integers().between(0, p.maxInstances() + 1));
      }
      return Combinators.combine(counts).as(cs -> {
        Map<String, Integer> layout = new LinkedHashMap<>();
        for (int i = 0; i < cs.size(); i++) {
          if (cs.get(i) > 0) {
            layout.put(model.profiles().get(i).name(), cs.get(i));
          }
        }
        return new Request(model, layout);
      });
    });
  }

  @Property(tries = 400)
  void everyPlanIsAValidPlacementSetWithTheRequestedCounts(@ForAll("requests") Request r) {
    PlanResult result = planner.plan(r.model(), r.layout());
    if (result instanceof PlanResult.Planned planned) {
      assertThat(planner.violation(r.model(), planned.placements())).isEmpty();
      Map<String, Integer> counts = new HashMap<>();
      planned.placements().forEach(p -> counts.merge(p.profile().name(), 1, Integer::sum));
      assertThat(counts).isEqualTo(r.layout());
    } else {
      assertThat(((PlanResult.Impossible) result).reason()).isNotBlank();
    }
  }

  @Property(tries = 150)
  void applyThenExportRoundTrips(@ForAll("requests") Request r) {
    if (!(planner.plan(r.model(), r.layout()) instanceof PlanResult.Planned)) {
      return;
    }
    FakeMigGpus gpus = new FakeMigGpus();
    int gpu = gpus.addGpu(r.model(), "GPU-x");
    MigReconciler reconciler = new MigReconciler(gpus, CATALOGUE);
    reconciler.apply(gpu, true, r.layout());
    MigConfigCodec codec = new MigConfigCodec();
    MigConfigSpec exported = codec.parse(codec.write(new MigExporter(gpus).export()));
    MigConfigEntry entry = exported.configs().get(MigExporter.CURRENT).get(0);
    assertThat(entry.migEnabled()).isTrue();
    assertThat(entry.migDevices()).isEqualTo(r.layout());
    assertThat(reconciler.asserts(exported, MigExporter.CURRENT)).isTrue();
    assertThat(reconciler.apply(gpu, true, entry.migDevices()).changed()).isFalse();
  }

  @Property(tries = 200)
  void smallestChangeKeepsBusyInstancesAndStaysValid(
      @ForAll("requests") Request r, @ForAll("profileIndex") int profileIndex, @ForAll long busyMask) {
    if (!(planner.plan(r.model(), r.layout()) instanceof PlanResult.Planned planned)) {
      return;
    }
    List<Placement> current = planned.placements();
    Set<Placement> busy = new HashSet<>();
    for (int i = 0; i < current.size(); i++) {
      if ((busyMask & (1L << i)) != 0) {
        busy.add(current.get(i));
      }
    }
    String wanted = r.model().profiles().get(profileIndex % r.model().profiles().size()).name();
    ChangeResult change = planner.smallestChange(r.model(), current, busy, wanted);
    if (change instanceof ChangeResult.Change c) {
      for (Placement removed : c.remove()) {
        assertThat(busy).doesNotContain(removed);
      }
      List<Placement> after = new ArrayList<>(current);
      after.removeAll(c.remove());
      after.add(c.add());
      assertThat(planner.violation(r.model(), after)).isEmpty();
    }
  }

  @Provide
  Arbitrary<Integer> profileIndex() {
    return Arbitraries.integers().between(0, 6);
  }
}
