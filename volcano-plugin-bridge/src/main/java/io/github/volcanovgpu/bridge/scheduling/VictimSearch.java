package io.github.volcanovgpu.bridge.scheduling;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The smallest set of pods whose leaving lets a pod fit: exhaustive over sets of up to {@link #EXHAUSTIVE_SIZE}
 * pods (fewest pods first, then the candidates' order), else greedy (all candidates, then each dropped again while
 * the pod still fits), which is irreducible: no victim can be spared. Pure; the fit is the caller's (the core's
 * own fit with the candidates' shares released).
 */
final class VictimSearch {
  /** Sets up to this size are searched exhaustively. */
  static final int EXHAUSTIVE_SIZE = 3;
  /** At most this many fit checks in the exhaustive phase. */
  static final int MAX_CHECKS = 2_000;

  private VictimSearch() {}

  /**
   * @param candidates pod uids in order of preference (the first are evicted first among equally small sets)
   * @param fitsWithout whether the pod fits once the given pods have left
   * @return the victims, in candidate order; empty when even all candidates leaving is not enough
   */
  static Optional<List<String>> smallest(List<String> candidates, Predicate<Set<String>> fitsWithout) {
    if (candidates.isEmpty() || !fitsWithout.test(Set.copyOf(candidates))) {
      return Optional.empty();
    }
    int[] checks = {0};
    for (int size = 1; size <= Math.min(EXHAUSTIVE_SIZE, candidates.size()); size++) {
      Optional<List<String>> found = combinations(candidates, size, 0, new ArrayList<>(), fitsWithout, checks);
      if (found.isPresent()) {
        return found;
      }
      if (checks[0] > MAX_CHECKS) {
        break;
      }
    }
    // greedy: everyone leaves, then each is spared (last-preferred first) while the pod still fits
    List<String> victims = new ArrayList<>(candidates);
    for (int i = victims.size() - 1; i >= 0; i--) {
      String spared = victims.remove(i);
      if (!fitsWithout.test(new LinkedHashSet<>(victims))) {
        victims.add(i, spared);
      }
    }
    return Optional.of(List.copyOf(victims));
  }

  private static Optional<List<String>> combinations(List<String> candidates, int size, int from,
      List<String> chosen, Predicate<Set<String>> fitsWithout, int[] checks) {
    if (chosen.size() == size) {
      checks[0]++;
      return fitsWithout.test(new LinkedHashSet<>(chosen)) ? Optional.of(List.copyOf(chosen)) : Optional.empty();
    }
    for (int i = from; i <= candidates.size() - (size - chosen.size()); i++) {
      if (checks[0] > MAX_CHECKS) {
        return Optional.empty();
      }
      chosen.add(candidates.get(i));
      Optional<List<String>> found = combinations(candidates, size, i + 1, chosen, fitsWithout, checks);
      chosen.remove(chosen.size() - 1);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }
}
