package io.github.volcanovgpu.plugin.register;

import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes {@code volcano.sh/node-vgpu-register} on this node: call {@link #publish()} periodically (every 30 s)
 * and on every change; it PATCHes only when the value differs from what the node carries (the v2.9 fix for API
 * throttling on large clusters). Optionally also writes the legacy handshake for Volcano <= 1.15. Thread-safe.
 */
public final class RegistrationPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(RegistrationPublisher.class);
  /** Go's default time layout as the legacy handshake carries it, e.g. {@code 2025-01-01 10:00:00.123 +0000 UTC}. */
  private static final DateTimeFormatter GO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS '+0000 UTC'").withZone(ZoneOffset.UTC);

  private final String node;
  private final NodeAnnotator annotator;
  private final Supplier<String> value;
  private final boolean legacyHandshake;
  private final Clock clock;
  private @Nullable String published;

  /**
   * @param value computes the current annotation value (from discovery, health and settings)
   * @param legacyHandshake also write {@code volcano.sh/node-vgpu-handshake} ({@code Reported <time>})
   */
  public RegistrationPublisher(String node, NodeAnnotator annotator, Supplier<String> value,
      boolean legacyHandshake, Clock clock) {
    this.node = Objects.requireNonNull(node, "node");
    this.annotator = Objects.requireNonNull(annotator, "annotator");
    this.value = Objects.requireNonNull(value, "value");
    this.legacyHandshake = legacyHandshake;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Publishes the current value when it differs from the node's.
   *
   * @return true when a PATCH was sent
   * @throws NodeAnnotator.NodeAnnotationException when the API server refused or was unreachable (callers retry)
   */
  public synchronized boolean publish() {
    String current = value.get();
    String onNode = published;
    if (onNode == null || !onNode.equals(current)) {
      onNode = annotator.annotations(node).get(VgpuAnnotations.NODE_REGISTER);
    }
    Map<String, Optional<String>> changes = new LinkedHashMap<>();
    if (!current.equals(onNode)) {
      changes.put(VgpuAnnotations.NODE_REGISTER, Optional.of(current));
    }
    if (legacyHandshake) {
      changes.put(VgpuAnnotations.NODE_HANDSHAKE, Optional.of("Reported " + GO_TIME.format(clock.instant())));
    }
    if (changes.isEmpty()) {
      published = current;
      return false;
    }
    annotator.patch(node, changes);
    if (!current.equals(published)) {
      LOG.info("registered vGPU inventory on node {}: {}", node, current);
    }
    published = current;
    return true;
  }
}
