package io.github.volcanovgpu.bridge.device;

import java.util.Objects;

/**
 * One device that refused a container, as the kind's fit found it.
 *
 * @param index the device's index in the node's registration (= in {@link NodeUsage#devices()})
 * @param failure the kind's reason code
 */
public record DeviceRefusal(int index, FitFailure failure) {
  public DeviceRefusal {
    if (index < 0) {
      throw new IllegalArgumentException("index must be >= 0, got " + index);
    }
    Objects.requireNonNull(failure, "failure");
  }
}
