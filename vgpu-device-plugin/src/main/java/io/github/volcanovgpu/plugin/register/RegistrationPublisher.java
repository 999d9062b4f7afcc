package io.github.volcanovgpu.plugin.register;

import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a device kind's registration annotations on this node (Volcano's {@code volcano.sh/node-vgpu-register},
 * HAMi's {@code hami.io/node-register-<CommonWord>}, ...): call {@link #publish()} periodically (every 30 s) and on
 * every change; it PATCHes only the annotations whose value differs from what the node carries (the v2.9 fix for API
 * throttling on large clusters), plus the heartbeat annotations (handshakes) on every call. Thread-safe.
 */
public final class RegistrationPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(RegistrationPublisher.class);
  /** Go's default time layout as the legacy handshake carries it, e.g. {@code 2025-01-01 10:00:00.123 +0000 UTC}. */
  private static final DateTimeFormatter GO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS '+0000 UTC'").withZone(ZoneOffset.UTC);

  private final String node;
  private final NodeAnnotator annotator;
  private final Supplier<Map<String, String>> values;
  private final Function<Instant, Map<String, String>> heartbeat;
  private final Clock clock;
  private @Nullable Map<String, String> published;

  /**
   * @param values computes the current annotation values (from discovery, health and settings)
   * @param heartbeat annotations written with every publish (e.g. a handshake {@code Reported_<time>}); may be empty
   */
  public RegistrationPublisher(String node, NodeAnnotator annotator, Supplier<Map<String, String>> values,
      Function<Instant, Map<String, String>> heartbeat, Clock clock) {
    this.node = Objects.requireNonNull(node, "node");
    this.annotator = Objects.requireNonNull(annotator, "annotator");
    this.values = Objects.requireNonNull(values, "values");
    this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Volcano's vGPU registration: {@code volcano.sh/node-vgpu-register}, optionally with the legacy handshake
   * {@code volcano.sh/node-vgpu-handshake} ({@code Reported <Go time>}) for Volcano <= 1.15.
   */
  public RegistrationPublisher(String node, NodeAnnotator annotator, Supplier<String> value,
      boolean legacyHandshake, Clock clock) {
    this(node, annotator, () -> Map.of(VgpuAnnotations.NODE_REGISTER, value.get()),
        now -> legacyHandshake ? legacyHandshake(now) : Map.of(), clock);
  }

  /** Volcano's legacy vGPU handshake ({@code volcano.sh/node-vgpu-handshake: Reported <Go time>}). */
  public static Map<String, String> legacyHandshake(Instant now) {
    return Map.of(VgpuAnnotations.NODE_HANDSHAKE, "Reported " + GO_TIME.format(now));
  }

  /**
   * Publishes the current values that differ from the node's, and the heartbeat.
   *
   * @return true when a PATCH was sent
   * @throws NodeAnnotator.NodeAnnotationException when the API server refused or was unreachable (callers retry)
   */
  public synchronized boolean publish() {
    Map<String, String> current = Map.copyOf(values.get());
    Map<String, String> onNode = published;
    if (onNode == null || !onNode.equals(current)) {
      onNode = annotator.annotations(node);
    }
    Map<String, Optional<String>> changes = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : current.entrySet()) {
      if (!e.getValue().equals(onNode.get(e.getKey()))) {
        changes.put(e.getKey(), Optional.of(e.getValue()));
      }
    }
    heartbeat.apply(clock.instant()).forEach((k, v) -> changes.put(k, Optional.of(v)));
    if (changes.isEmpty()) {
      published = current;
      return false;
    }
    annotator.patch(node, changes);
    if (!current.equals(published)) {
      LOG.info("registered devices on node {}: {}", node, current);
    }
    published = current;
    return true;
  }
}
