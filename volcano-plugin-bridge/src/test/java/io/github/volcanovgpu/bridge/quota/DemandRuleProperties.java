package io.github.volcanovgpu.bridge.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.scheduling.DeviceKinds;
import io.github.volcanovgpu.bridge.vendor.VendorCatalog;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The demand rule over random pods of init and app containers, each asking a GPU share, an Ascend share, Vastai
 * devices or nothing: per kind and dimension, max(sum over app containers, max over init containers), checked
 * against an oracle that reads the requests itself (an Ascend request that may land on a template node counted at
 * its template).
 */
class DemandRuleProperties {
  private static final DeviceKinds KINDS = VendorCatalog.kinds(DeviceConfig.defaults());
  private static final long CARD = 40960;
  private static final Map<String, Long> LARGEST = Map.of("hamivgpu", CARD, "Ascend910B3", 65536L, "Vastai", 0L);

  /** One container's ask: kind 0 none, 1 GPU, 2 Ascend 910B3, 3 Vastai. */
  record Ask(int kind, int count, long memory, int cores) {
    Map<String, String> limits() {
      Map<String, String> m = new HashMap<>();
      switch (kind) {
        case 1 -> {
          m.put("volcano.sh/vgpu-number", Integer.toString(count));
          if (memory > 0) {
            m.put("volcano.sh/vgpu-memory", Long.toString(memory));
          }
          if (cores > 0) {
            m.put("volcano.sh/vgpu-cores", Integer.toString(cores));
          }
        }
        case 2 -> {
          m.put("huawei.com/Ascend910B3", Integer.toString(count));
          if (memory > 0) {
            m.put("huawei.com/Ascend910B3-memory", Long.toString(memory));
          }
          if (cores > 0) {
            m.put("huawei.com/Ascend910B3-core", Integer.toString(cores));
          }
        }
        case 3 -> m.put("vastaitech.com/va", Integer.toString(count));
        default -> m.put("cpu", "1");
      }
      return m;
    }

    /** The oracle: what this ask means in totals, or null when it asks nothing of a device. */
    String kindName() {
      return switch (kind) {
        case 1 -> "hamivgpu";
        case 2 -> "Ascend910B3";
        case 3 -> "Vastai";
        default -> "";
      };
    }

    KindTotals totals() {
      if (kind == 0 || count == 0) {
        return KindTotals.ZERO;
      }
      long perDevice = switch (kind) {
        case 1 -> memory > 0 ? memory : CARD;
        case 2 -> memory == 0 ? 65536 : cores > 0 ? memory : template910B3(memory);
        default -> 0;
      };
      return new KindTotals(count, count * perDevice, kind == 3 ? 0 : (long) count * cores);
    }
  }

  /**
   * A 910B3 request without compute follows its node's mode, so on a template node it holds the template its memory
   * rounds up to (vir05_1c_16g, vir10_3c_32g, else the card); the quota counts that.
   */
  static long template910B3(long memory) {
    return memory <= 16384 ? 16384 : memory <= 32768 ? 32768 : 65536;
  }

  @Provide
  Arbitrary<Ask> asks() {
    return Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 4),
        Arbitraries.longs().between(0, 30000), Arbitraries.integers().between(0, 100)).as(Ask::new);
  }

  @Provide
  Arbitrary<List<Ask>> containers() {
    return asks().list().ofMinSize(1).ofMaxSize(5);
  }

  @Provide
  Arbitrary<List<Ask>> inits() {
    return asks().list().ofMaxSize(4);
  }

  @Property(tries = 300)
  void podDemandIsTheLargerOfTheAppSumAndTheLargestInitContainer(
      @ForAll("containers") List<Ask> app, @ForAll("inits") List<Ask> init) {
    PodView pod = pod(app, init);
    Map<String, KindTotals> expected = new HashMap<>();
    Map<String, KindTotals> appSum = new HashMap<>();
    for (Ask a : app) {
      if (!a.totals().equals(KindTotals.ZERO)) {
        appSum.merge(a.kindName(), a.totals(), KindTotals::plus);
      }
    }
    Map<String, KindTotals> initMax = new HashMap<>();
    for (Ask a : init) {
      if (!a.totals().equals(KindTotals.ZERO)) {
        initMax.merge(a.kindName(), a.totals(), KindTotals::max);
      }
    }
    expected.putAll(appSum);
    initMax.forEach((k, v) -> expected.merge(k, v, KindTotals::max));

    assertThat(DemandRule.podDemand(KINDS, pod, LARGEST)).isEqualTo(expected);
  }

  @Property(tries = 200)
  void anInitContainerNoLargerThanTheAppSumAddsNothing(@ForAll("containers") List<Ask> app) {
    Map<String, KindTotals> without = DemandRule.podDemand(KINDS, pod(app, List.of()), LARGEST);
    List<Ask> smaller = new ArrayList<>();
    for (Ask a : app) {
      if (a.kind() == 1 && a.count() > 0) {
        smaller.add(new Ask(1, 1, Math.max(1, Math.min(a.memory(), 1)), 0));
        break;
      }
    }
    assertThat(DemandRule.podDemand(KINDS, pod(app, smaller), LARGEST)).isEqualTo(without);
  }

  private static PodView pod(List<Ask> app, List<Ask> init) {
    List<ContainerView> a = new ArrayList<>();
    for (int i = 0; i < app.size(); i++) {
      a.add(new ContainerView("app" + i, app.get(i).limits(), Map.of()));
    }
    List<ContainerView> in = new ArrayList<>();
    for (int i = 0; i < init.size(); i++) {
      in.add(new ContainerView("init" + i, init.get(i).limits(), Map.of()));
    }
    return new PodView("u", "ns", "p", Map.of(), a, in, "", "", "");
  }
}
