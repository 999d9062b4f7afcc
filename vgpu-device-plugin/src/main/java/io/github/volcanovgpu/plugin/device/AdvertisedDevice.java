package io.github.volcanovgpu.plugin.device;

import java.util.Objects;

/**
 * One device ID advertised to the kubelet (a share of a card).
 *
 * @param id the kubelet device ID, at most 63 characters
 * @param uuid the physical card it belongs to
 * @param numaNode NUMA node of the card, -1 when unknown
 */
public record AdvertisedDevice(String id, String uuid, int numaNode) {
  public AdvertisedDevice {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(uuid, "uuid");
    if (id.isEmpty() || id.length() > 63) {
      throw new IllegalArgumentException("device ID must have 1..63 characters: \"" + id + "\"");
    }
  }
}
