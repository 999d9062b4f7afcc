/**
 * {@code explain}'s edges: the one JSON shape of an {@link io.github.volcanovgpu.bridge.scheduling.Explanation}
 * ({@link ExplanationJson}, served by the sidecar's {@code GET /explain} and read by the CLI) and its plain-text
 * rendering ({@link ExplanationText}). The reasons themselves come from the scheduling core.
 */
@NullMarked
package io.github.volcanovgpu.bridge.explain;

import org.jspecify.annotations.NullMarked;
