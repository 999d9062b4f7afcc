package io.github.volcanovgpu.cdi.store;

import io.github.volcanovgpu.cdi.CdiSpec;
import io.github.volcanovgpu.cdi.Kind;

/**
 * Where CDI specs are published. A write is all-or-nothing: a reader sees the old spec file or the new one, never a
 * part. File names: {@code <vendor>-<class>} for a kind's main spec, {@code <vendor>-<class>_<id>} for a transient
 * device set ({@code GenerateSpecName}, {@code GenerateTransientSpecName}).
 */
public interface CdiSpecWriter {
  /** Replaces the main spec of {@code spec}'s kind (devices no longer in it are gone). */
  void write(CdiSpec spec);

  /** Removes the main spec of {@code kind} (an inventory without devices); false when there was none. */
  boolean remove(Kind kind);

  /** Replaces the transient spec {@code id} of {@code spec}'s kind. */
  void writeTransient(CdiSpec spec, String id);

  /** Removes the transient spec {@code id} of {@code kind}; false when there was none. */
  boolean removeTransient(Kind kind, String id);

  /** The ids of the transient specs of {@code kind} published now, sorted. */
  java.util.List<String> transientIds(Kind kind);

  /** {@code <vendor>-<class>_<id>} with {@code /} in the id replaced by {@code _}. */
  static String transientFileBase(Kind kind, String id) {
    if (id.isEmpty()) {
      throw new IllegalArgumentException("transient spec id is empty");
    }
    return kind.specFileBase() + "_" + id.replace('/', '_');
  }
}
