package io.github.volcanovgpu.mig.reconcile;

import java.util.List;
import java.util.Objects;

/** The smallest change that makes room for one more instance, or why there is none. */
public sealed interface ChangeResult {
  /** Destroy {@code remove} (possibly nothing), then create {@code add}. */
  record Change(List<Placement> remove, Placement add) implements ChangeResult {
    public Change {
      remove = List.copyOf(remove);
      Objects.requireNonNull(add, "add");
    }
  }

  record NoRoom(String reason) implements ChangeResult {
    public NoRoom {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
