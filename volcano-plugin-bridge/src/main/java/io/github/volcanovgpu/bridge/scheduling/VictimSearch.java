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
 * the pod still fits, from either end of the candidates; the smaller result), which is irreducible: no victim can
 * be spared. Pure; the fit is the caller's (the core's
 * own fit with the candidates' shares released).
 */
final class VictimSearch {
  /** Sets up to this size are searched exhaustively. */
  static final int EXHAUSTIVE_SIZE = 3;
  /** At most this many fit checks in the exhaustive phase of one decision (preemptable, reclaimable). */
  static final int MAX_CHECKS = 2_000;

  private VictimSearch() {}

  /**
   * @param candidates pod uids in order of preference (the first are evicted first among equally small sets)
   * @param fitsWithout whether the pod fits once the given pods have left
   * @return the victims, in candidate order; empty when even all candidates leaving is not enough
   */
  static Optional<List<String>> smallest(List<String> candidates, Predicate<Set<String>> fitsWithout) {
    return smallest(candidates, fitsWithout, MAX_CHECKS);
  }

  /**
   * @param maxChecks at most this many fit checks in the exhaustive phase (then greedy, which checks each candidate
   *     twice more)
   */
  static Optional<List<String>> smallest(List<String> candidates, Predicate<Set<String>> fitsWithout,
      int maxChecks) {
    if (candidates.isEmpty() || !fitsWithout.test(Set.copyOf(candidates))) {
      return Optional.empty();
    }
    int[] checks = {0};
    for (int size = 1; size <= Math.min(EXHAUSTIVE_SIZE, candidates.size()); size++) {
      Optional<List<String>> found =
          combinations(candidates, size, 0, new ArrayList<>(), fitsWithout, checks, maxChecks);
      if (found.isPresent()) {
        return found;
      }
      if (checks[0] > maxChecks) {
        break;
      }
    }
    // greedy, both ways: everyone leaves, then each is spared while the pod still fits, the last-preferred first
    // (keeps the preferred victims) and the first-preferred first (may end smaller); the smaller set wins
    List<String> keepPreferred = spare(candidates, fitsWithout, true);
    List<String> other = spare(candidates, fitsWithout, false);
    return Optional.of(other.size() < keepPreferred.size() ? other : keepPreferred);
  }

  private static List<String> spare(List<String> candidates, Predicate<Set<String>> fitsWithout, boolean fromLast) {
    List<String> victims = new ArrayList<>(candidates);
    for (int k = 0; k < candidates.size(); k++) {
      String spared = candidates.get(fromLast ? candidates.size() - 1 - k : k);
      int at = victims.indexOf(spared);
      victims.remove(at);
      if (!fitsWithout.test(new LinkedHashSet<>(victims))) {
        victims.add(at, spared);
      }
    }
    return List.copyOf(victims);
  }

  private static Optional<List<String>> combinations(List<String> candidates, int size, int from,
      List<String> chosen, Predicate<Set<String>> fitsWithout, int[] checks, int maxChecks) {
    if (chosen.size() == size) {
      checks[0]++;
      return fitsWithout.test(new LinkedHashSet<>(chosen)) ? Optional.of(List.copyOf(chosen)) : Optional.empty();
    }
    for (int i = from; i <= candidates.size() - (size - chosen.size()); i++) {
      if (checks[0] > maxChecks) {
        return Optional.empty();
      }
      chosen.add(candidates.get(i));
      Optional<List<String>> found = combinations(candidates, size, i + 1, chosen, fitsWithout, checks, maxChecks);
      chosen.remove(chosen.size() - 1);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }
}
