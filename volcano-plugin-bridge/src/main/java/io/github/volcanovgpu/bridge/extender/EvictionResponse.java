package io.github.volcanovgpu.bridge.extender;

import java.util.List;

/**
 * Volcano's answer to preemptable / reclaimable ({@code PreemptableResponse}, {@code ReclaimableResponse}):
 * {@code {"status": <int>, "victims": [TaskInfo...]}}; status 1 Permit, 0 Abstain, -1 Reject.
 *
 * @param victims each victim's TaskInfo JSON, written verbatim (as Volcano sent it as an evictee); read back, the
 *     victims' {@code UID}s
 */
public record EvictionResponse(int status, List<String> victims) {
  public EvictionResponse {
    victims = List.copyOf(victims);
  }
}
