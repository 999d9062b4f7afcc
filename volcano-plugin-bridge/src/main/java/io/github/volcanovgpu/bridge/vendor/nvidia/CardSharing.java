package io.github.volcanovgpu.bridge.vendor.nvidia;

import io.github.volcanovgpu.bridge.device.NodeUsage;
import io.github.volcanovgpu.contract.device.RegisteredGpu;
import org.jspecify.annotations.Nullable;

/**
 * How one node's cards are shared, per GPU mode (Volcano's sharing handlers): the step after the common per-card
 * checks that turns "this card may take the container" into a device id and the memory to account. One instance
 * per fit; it carries the fit's tentative additions.
 */
interface CardSharing {
  /** A tentatively taken slice: the id written to the pod annotation and the memory accounted on the card. */
  record Slot(String deviceId, long memoryUnits) {}

  /** Takes a slice of card {@code card} for {@code memoryUnits}; null when this mode has no room for it. */
  @Nullable
  Slot tryAdd(int card, long memoryUnits);

  /** hami-core: the card itself, the requested memory (libvgpu enforces it). */
  static CardSharing hamiCore(NodeUsage<RegisteredGpu> usage) {
    return (card, memoryUnits) -> new Slot(usage.devices().get(card).device().uuid(), memoryUnits);
  }
}
