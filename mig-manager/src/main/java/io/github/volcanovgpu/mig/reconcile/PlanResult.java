package io.github.volcanovgpu.mig.reconcile;

import java.util.List;
import java.util.Objects;

/** What the planner says about a requested layout. */
public sealed interface PlanResult {
  /** The layout fits with these placements, in creation order. */
  record Planned(List<Placement> placements) implements PlanResult {
    public Planned {
      placements = List.copyOf(placements);
    }
  }

  /** The layout cannot be built on this model; {@code reason} says why. */
  record Impossible(String reason) implements PlanResult {
    public Impossible {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
