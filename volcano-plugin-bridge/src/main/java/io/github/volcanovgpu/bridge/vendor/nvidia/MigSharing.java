package io.github.volcanovgpu.bridge.vendor.nvidia;

import io.github.volcanovgpu.bridge.device.DeviceUsage;
import io.github.volcanovgpu.bridge.device.NodeUsage;
import io.github.volcanovgpu.bridge.device.PodShare;
import io.github.volcanovgpu.contract.config.MigGeometry;
import io.github.volcanovgpu.contract.device.RegisteredGpu;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@code mig} mode: each card hands out instances of one geometry group (reference volcano-vgpu.md §1.12). The
 * request (in gpuMemoryFactor units) is scaled to MiB to match instance memory; the card is charged the instance's
 * memory, scaled back.
 */
final class MigSharing implements CardSharing {
  private final List<MigCardState> cards;
  private final int memoryFactor;

  MigSharing(NodeUsage<RegisteredGpu> usage, List<MigGeometry> geometries, int memoryFactor) {
    this.memoryFactor = Math.max(1, memoryFactor);
    this.cards = new ArrayList<>(usage.devices().size());
    for (DeviceUsage<RegisteredGpu> g : usage.devices()) {
      MigCardState state =
          new MigCardState(g.device().uuid(), MigCardState.groupsFor(geometries, g.device().type()));
      for (PodShare s : g.pods()) {
        state.add(s.deviceId());
      }
      cards.add(state);
    }
  }

  @Override
  public @Nullable Slot tryAdd(int card, long memoryUnits) {
    MigCardState state = cards.get(card);
    MigCardState.Match m = state.findMatch(memoryUnits * memoryFactor);
    if (m == null) {
      return null;
    }
    return new Slot(state.take(m), m.memoryMib() / memoryFactor);
  }
}
