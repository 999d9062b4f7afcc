package io.github.volcanovgpu.mig.reconcile;

import java.util.List;

/**
 * What happened to one GPU.
 *
 * @param changed false when the GPU already matched (nothing touched)
 * @param placements the instances now on the GPU (empty when MIG is off)
 */
public record ApplyOutcome(int gpu, boolean changed, List<Placement> placements) {
  public ApplyOutcome {
    placements = List.copyOf(placements);
  }
}
