package io.github.volcanovgpu.bridge.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class VictimSearchTest {
  /** Fits when the freed sizes sum to {@code need}. */
  private static Predicate<Set<String>> frees(Map<String, Integer> sizes, int need) {
    return gone -> gone.stream().mapToInt(sizes::get).sum() >= need;
  }

  @Test
  void picksTheFewestVictimsThenTheEarliestCandidates() {
    Map<String, Integer> sizes = Map.of("a", 1, "b", 5, "c", 5, "d", 9);
    assertThat(VictimSearch.smallest(List.of("a", "b", "c", "d"), frees(sizes, 6))).contains(List.of("d"));
    assertThat(VictimSearch.smallest(List.of("a", "b", "c", "d"), frees(sizes, 10))).contains(List.of("a", "d"));
  }

  @Test
  void aSmallCheckBudgetStillEndsInASetThatFitsAndSparesWhoItCan() {
    Map<String, Integer> sizes = Map.of("a", 1, "b", 1, "c", 1, "d", 3);
    int[] checks = {0};
    Predicate<Set<String>> fits = gone -> {
      checks[0]++;
      return frees(sizes, 3).test(gone);
    };
    // budget 1: the exhaustive phase stops after one check; sparing from the back would keep a, b and c, sparing
    // from the front keeps d alone: the smaller wins
    assertThat(VictimSearch.smallest(List.of("a", "b", "c", "d"), fits, 1)).contains(List.of("d"));
    assertThat(checks[0]).isLessThanOrEqualTo(1 + 2 + 4 + 4);
  }

  @Test
  void isEmptyWhenEveryoneLeavingIsNotEnough() {
    assertThat(VictimSearch.smallest(List.of("a", "b"), frees(Map.of("a", 1, "b", 1), 3))).isEmpty();
    assertThat(VictimSearch.smallest(List.of(), gone -> true)).isEmpty();
  }

  @Test
  void beyondTheExhaustiveSizeTheGreedySetSparesEveryoneItCan() {
    // eight pods of 1 and one of 2: nine units needed takes every pod but the cheapest to spare
    Map<String, Integer> sizes = new java.util.HashMap<>();
    List<String> names = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      sizes.put("p" + i, 1);
      names.add("p" + i);
    }
    List<String> victims = VictimSearch.smallest(names, frees(sizes, 5)).orElseThrow();
    assertThat(victims).hasSize(5);
    // irreducible: sparing any one of them no longer frees enough
    for (String v : victims) {
      Set<String> less = new java.util.HashSet<>(victims);
      less.remove(v);
      assertThat(frees(sizes, 5).test(less)).isFalse();
    }
  }
}
