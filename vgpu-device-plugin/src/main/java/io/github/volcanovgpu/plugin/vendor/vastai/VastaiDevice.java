package io.github.volcanovgpu.plugin.vendor.vastai;

import io.github.volcanovgpu.plugin.device.PhysicalDevice;
import java.util.Objects;

/**
 * One device the Vastai kind hands out: a whole card (card strategy) or one die of a card (die strategy).
 *
 * @param uuid the device's id, unique on the node
 * @param index the device's number among the node's devices of its strategy (the runtime's device index)
 * @param card the card (AIC) the device is or sits on, numbered from 0
 * @param die the die's number on its card, -1 for a whole card
 * @param memoryMib device memory
 * @param numaNode NUMA node, -1 when unknown
 */
public record VastaiDevice(String uuid, int index, int card, int die, long memoryMib, int numaNode)
    implements PhysicalDevice {
  public VastaiDevice {
    Objects.requireNonNull(uuid, "uuid");
    if (uuid.isBlank() || uuid.contains(",") || uuid.contains(":") || uuid.contains(";")) {
      throw new IllegalArgumentException("Vastai device id must be non-empty without ',', ':' or ';': \"" + uuid
          + "\"");
    }
    if (index < 0 || card < 0 || memoryMib < 0) {
      throw new IllegalArgumentException("index, card and memoryMib must be >= 0 (device " + uuid + ")");
    }
  }

  @Override
  public int minorNumber() {
    return index;
  }
}
