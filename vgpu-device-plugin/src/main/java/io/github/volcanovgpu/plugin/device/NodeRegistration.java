package io.github.volcanovgpu.plugin.device;

import java.time.Instant;
import java.util.Map;

/**
 * The node annotations through which a kind tells its scheduler half what this node has (Volcano's
 * {@code volcano.sh/node-vgpu-register}, HAMi's {@code hami.io/node-register-<CommonWord>} and
 * {@code hami-vnpu-core}, ...). The core publishes them every register interval and on every health change,
 * patching only values that changed, plus the heartbeat on every publish. Pure functions of their inputs.
 */
public interface NodeRegistration {
  /**
   * The annotations as they should be now.
   *
   * @param health current health per device UUID (devices missing from the map are healthy)
   */
  Map<String, String> annotations(Map<String, DeviceHealth> health);

  /** Annotations written with every publish, e.g. HAMi's handshake {@code Reported_<time>}; none by default. */
  default Map<String, String> heartbeat(Instant now) {
    return Map.of();
  }
}
