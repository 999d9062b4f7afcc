package io.github.volcanovgpu.mig.reconcile;

import io.github.volcanovgpu.mig.profile.MigProfile;
import java.util.Objects;

/** One GPU instance of {@code profile} at memory slice {@code start} (size = the profile's memory slices). */
public record Placement(MigProfile profile, int start) {
  public Placement {
    Objects.requireNonNull(profile, "profile");
  }

  public int end() {
    return start + profile.memorySlices();
  }

  public boolean overlaps(Placement other) {
    return start < other.end() && other.start() < end();
  }

  @Override
  public String toString() {
    return profile.name() + "@" + start + ":" + profile.memorySlices();
  }
}
