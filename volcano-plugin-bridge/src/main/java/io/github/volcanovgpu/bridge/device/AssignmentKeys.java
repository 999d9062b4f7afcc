package io.github.volcanovgpu.bridge.device;

import java.util.List;
import java.util.Objects;

/**
 * The pod annotation keys through which a kind hands devices to its device plugin: what the core reads to tell an
 * assignment's state (written, handed out, stale) without knowing the kind's spelling.
 *
 * @param node the key naming the node the devices were assigned on (e.g. {@code volcano.sh/vgpu-node})
 * @param devices the key holding the assignment the ledger counts (e.g. {@code volcano.sh/vgpu-ids-new})
 * @param bindPhase the key the device plugin sets to {@link #BIND_PHASE_SUCCESS} once it handed the devices out
 * @param all every key written at allocation, removed again when an allocation is rolled back
 */
public record AssignmentKeys(String node, String devices, String bindPhase, List<String> all) {
  /** The value every kind's device plugin writes under {@link #bindPhase} after a successful Allocate. */
  public static final String BIND_PHASE_SUCCESS = "success";

  public AssignmentKeys {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(devices, "devices");
    Objects.requireNonNull(bindPhase, "bindPhase");
    all = List.copyOf(all);
  }
}
