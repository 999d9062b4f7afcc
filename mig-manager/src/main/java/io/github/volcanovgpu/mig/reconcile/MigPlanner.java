package io.github.volcanovgpu.mig.reconcile;

import io.github.volcanovgpu.mig.profile.GpuModel;
import io.github.volcanovgpu.mig.profile.MigProfile;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Pure MIG placement planning. Rules checked: profile exists on the model, per-profile instance limit, total
 * compute slices, placements from the model's table, no two instances sharing a memory slice.
 */
public final class MigPlanner {
  /** Largest first, so a 3g is placed before the 2g/1g that could block it (the MIG guide's 3-2-1-1 quirk). */
  private static final Comparator<MigProfile> CREATION_ORDER =
      Comparator.comparingInt(MigProfile::memorySlices).reversed()
          .thenComparing(Comparator.comparingInt(MigProfile::computeSlices).reversed())
          .thenComparing(MigProfile::name);

  /** Placements for {@code layout} (profile name to count) on {@code model}, or why it cannot be built. */
  public PlanResult plan(GpuModel model, Map<String, Integer> layout) {
    List<MigProfile> instances = new ArrayList<>();
    int compute = 0;
    for (Map.Entry<String, Integer> e : layout.entrySet()) {
      int count = e.getValue();
      if (count < 0) {
        return new PlanResult.Impossible("negative count " + count + " for " + e.getKey());
      }
      if (count == 0) {
        continue;
      }
      Optional<MigProfile> p = model.profile(e.getKey());
      if (p.isEmpty()) {
        return new PlanResult.Impossible("profile " + e.getKey() + " is not available on " + model.name()
            + " (available: " + String.join(", ", model.profileNames()) + ")");
      }
      if (count > p.get().maxInstances()) {
        return new PlanResult.Impossible(model.name() + " holds at most " + p.get().maxInstances() + " x "
            + e.getKey() + ", " + count + " requested");
      }
      compute += count * p.get().computeSlices();
      for (int i = 0; i < count; i++) {
        instances.add(p.get());
      }
    }
    if (compute > model.computeSlices()) {
      return new PlanResult.Impossible("layout " + layout + " needs " + compute + " compute slices, "
          + model.name() + " has " + model.computeSlices());
    }
    instances.sort(CREATION_ORDER);
    List<Placement> chosen = new ArrayList<>(instances.size());
    if (!place(instances, 0, chosen, new boolean[model.memorySlices()])) {
      return new PlanResult.Impossible("layout " + layout + " has no set of non-overlapping placements on "
          + model.name());
    }
    return new PlanResult.Planned(chosen);
  }

  private static boolean place(List<MigProfile> instances, int i, List<Placement> chosen, boolean[] used) {
    if (i == instances.size()) {
      return true;
    }
    MigProfile p = instances.get(i);
    int minStart = -1;
    if (i > 0 && instances.get(i - 1).equals(p)) {
      minStart = chosen.get(i - 1).start(); // same profile: ascending starts only (no permutations)
    }
    for (int start : p.starts()) {
      if (start <= minStart || !free(used, start, p.memorySlices())) {
        continue;
      }
      mark(used, start, p.memorySlices(), true);
      chosen.add(new Placement(p, start));
      if (place(instances, i + 1, chosen, used)) {
        return true;
      }
      chosen.remove(chosen.size() - 1);
      mark(used, start, p.memorySlices(), false);
    }
    return false;
  }

  private static boolean free(boolean[] used, int start, int size) {
    if (start + size > used.length) {
      return false;
    }
    for (int s = start; s < start + size; s++) {
      if (used[s]) {
        return false;
      }
    }
    return true;
  }

  private static void mark(boolean[] used, int start, int size, boolean value) {
    for (int s = start; s < start + size; s++) {
      used[s] = value;
    }
  }

  /** Empty when {@code placements} is a valid set for {@code model}, else the first rule it breaks. */
  public Optional<String> violation(GpuModel model, List<Placement> placements) {
    Map<String, Integer> counts = new HashMap<>();
    int compute = 0;
    for (int i = 0; i < placements.size(); i++) {
      Placement a = placements.get(i);
      Optional<MigProfile> known = model.profile(a.profile().name());
      if (known.isEmpty() || !known.get().equals(a.profile())) {
        return Optional.of(a + ": not a profile of " + model.name());
      }
      if (!a.profile().validStart(a.start())) {
        return Optional.of(a + ": not a valid placement");
      }
      int n = counts.merge(a.profile().name(), 1, Integer::sum);
      if (n > a.profile().maxInstances()) {
        return Optional.of("more than " + a.profile().maxInstances() + " x " + a.profile().name());
      }
      compute += a.profile().computeSlices();
      for (int j = 0; j < i; j++) {
        if (a.overlaps(placements.get(j))) {
          return Optional.of(a + " overlaps " + placements.get(j));
        }
      }
    }
    if (compute > model.computeSlices()) {
      return Optional.of(compute + " compute slices used, " + model.name() + " has " + model.computeSlices());
    }
    return Optional.empty();
  }

  /**
   * The smallest change to {@code current} that adds one {@code profile} instance: no removal when it fits as is,
   * else the fewest instances (then fewest memory slices) to destroy, never one in {@code pinned} (busy).
   */
  public ChangeResult smallestChange(
      GpuModel model, List<Placement> current, Set<Placement> pinned, String profile) {
    Optional<MigProfile> p = model.profile(profile);
    if (p.isEmpty()) {
      return new ChangeResult.NoRoom("profile " + profile + " is not available on " + model.name()
          + " (available: " + String.join(", ", model.profileNames()) + ")");
    }
    List<Placement> removable = new ArrayList<>();
    for (Placement c : current) {
      if (!pinned.contains(c)) {
        removable.add(c);
      }
    }
    int n = removable.size();
    ChangeResult.Change best = null;
    int bestSize = Integer.MAX_VALUE;
    int bestSlices = Integer.MAX_VALUE;
    for (int mask = 0; mask < (1 << n); mask++) {
      int size = Integer.bitCount(mask);
      if (size > bestSize) {
        continue;
      }
      List<Placement> remove = new ArrayList<>(size);
      List<Placement> remaining = new ArrayList<>(current);
      int slices = 0;
      for (int b = 0; b < n; b++) {
        if ((mask & (1 << b)) != 0) {
          remove.add(removable.get(b));
          remaining.remove(removable.get(b));
          slices += removable.get(b).profile().memorySlices();
        }
      }
      if (size == bestSize && slices >= bestSlices) {
        continue;
      }
      for (int start : p.get().starts()) {
        List<Placement> candidate = new ArrayList<>(remaining);
        Placement add = new Placement(p.get(), start);
        candidate.add(add);
        if (violation(model, candidate).isEmpty()) {
          best = new ChangeResult.Change(remove, add);
          bestSize = size;
          bestSlices = slices;
          break;
        }
      }
    }
    if (best == null) {
      return new ChangeResult.NoRoom("no room for " + profile + " on " + model.name()
          + " without destroying a busy instance (busy: " + pinned + ")");
    }
    return best;
  }
}
