package io.github.volcanovgpu.bridge.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.scheduling.NodeLock;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.util.PatchUtils;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Volcano's node lock: an annotation on the Node named after the device kind ({@value #ANNOTATION} for NVIDIA,
 * {@code hami.io/mutex.lock} for HAMi's kinds), value the RFC 3339 time it was taken. A lock
 * older than {@link #EXPIRY} is taken over. Writes are JSON merge patches carrying the observed
 * {@code metadata.resourceVersion}, so of two concurrent writers one gets 409 Conflict and retries (then sees the
 * lock). Attempts follow {@link Backoff#NODE_LOCK} (HAMi v2.9): 5 attempts, waits 100/200/400/800 ms + 50 % jitter.
 */
public final class KubeNodeLock implements NodeLock {
  /** The NVIDIA kind's lock annotation (Volcano's device name {@code hamivgpu}). */
  public static final String ANNOTATION = VgpuAnnotations.NODE_LOCK;

  /** A lock older than this is considered abandoned. */
  public static final Duration EXPIRY = Duration.ofMinutes(5);

  private static final Logger LOG = LoggerFactory.getLogger(KubeNodeLock.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Waits between attempts; tests pass one that records instead of sleeping. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;

    Sleeper THREAD = duration -> Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
  }

  private final ApiClient client;
  private final CoreV1Api api;
  private final Clock clock;
  private final Sleeper sleeper;
  private final DoubleSupplier random;
  private final Backoff backoff;

  /** Locks this process took and has not released: node name and lock name → (value written, pod UID). */
  private final ConcurrentHashMap<String, Held> held = new ConcurrentHashMap<>();

  private record Held(String value, String podUid) {}

  /** @param client a request client ({@link KubeClients#requests()}) */
  public KubeNodeLock(ApiClient client) {
    this(client, Clock.systemUTC(), Sleeper.THREAD);
  }

  public KubeNodeLock(ApiClient client, Clock clock, Sleeper sleeper) {
    this(client, clock, sleeper, () -> ThreadLocalRandom.current().nextDouble(), Backoff.NODE_LOCK);
  }

  KubeNodeLock(ApiClient client, Clock clock, Sleeper sleeper, DoubleSupplier random, Backoff backoff) {
    this.client = Objects.requireNonNull(client, "client");
    this.api = new CoreV1Api(client);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.random = Objects.requireNonNull(random, "random");
    this.backoff = Objects.requireNonNull(backoff, "backoff");
  }

  @Override
  public void lock(String node, String name, PodView pod) {
    String lastReason = "";
    for (int attempt = 1;; attempt++) {
      try {
        String value = tryLock(node, name);
        held.put(heldKey(node, name), new Held(value, pod.uid()));
        LOG.debug("locked node {} for pod {} at {}", node, pod.key(), value);
        return;
      } catch (Retry retry) {
        lastReason = retry.getMessage();
        LOG.debug("node lock attempt {} of {} on {} for pod {}: {}", attempt, backoff.steps(), node, pod.key(),
            lastReason);
      }
      if (attempt >= backoff.steps()) {
        throw new NodeLockException(
            lastReason + " (pod " + pod.key() + ", gave up after " + backoff.steps() + " attempts)");
      }
      pause(backoff.delayAfter(attempt, random.getAsDouble()), node, pod);
    }
  }

  /**
   * Removes the lock if it is still the one this process took for {@code pod}; otherwise (released by the device
   * plugin, expired and taken over, never taken) does nothing. Failures are logged, not thrown: the lock expires
   * after {@link #EXPIRY} anyway.
   */
  @Override
  public void release(String node, String name, PodView pod) {
    String key = heldKey(node, name);
    Held mine = held.get(key);
    if (mine == null || !mine.podUid().equals(pod.uid())) {
      return;
    }
    for (int attempt = 1;; attempt++) {
      try {
        V1Node current = readNode(node);
        String value = annotations(current).get(name);
        if (mine.value().equals(value)) {
          patchLock(node, name, current, null);
          LOG.debug("released lock of node {} for pod {}", node, pod.key());
        }
        held.remove(key, mine);
        return;
      } catch (Retry retry) {
        if (attempt >= backoff.steps()) {
          LOG.warn("could not release lock of node {} for pod {} (it expires after {}): {}", node, pod.key(), EXPIRY,
              retry.getMessage());
          held.remove(key, mine);
          return;
        }
      } catch (NodeLockException e) {
        LOG.warn("could not release lock of node {} for pod {} (it expires after {}): {}", node, pod.key(), EXPIRY,
            e.getMessage());
        held.remove(key, mine);
        return;
      }
      pause(backoff.delayAfter(attempt, random.getAsDouble()), node, pod);
    }
  }

  private static String heldKey(String node, String name) {
    return node + '\u0000' + name;
  }

  /** One attempt; returns the value written. */
  private String tryLock(String node, String name) {
    V1Node current = readNode(node);
    String existing = annotations(current).get(name);
    Instant now = clock.instant();
    if (existing != null) {
      Instant lockedAt = parseLockTime(node, name, existing);
      if (Duration.between(lockedAt, now).compareTo(EXPIRY) <= 0) {
        throw new Retry("node " + node + " has been locked within 5 minutes");
      }
      LOG.info("node {}: taking over lock {} older than {}", node, existing, EXPIRY);
    }
    String value = DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
    patchLock(node, name, current, value);
    return value;
  }

  private V1Node readNode(String node) {
    try {
      return api.readNode(node).execute();
    } catch (ApiException e) {
      throw failure("cannot read node " + node, ApiFailure.of(e), e);
    }
  }

  /** Sets ({@code value} non-null) or removes the annotation, guarded by the node's resourceVersion. */
  private void patchLock(String node, String name, V1Node observed, @Nullable String value) {
    Map<String, @Nullable String> annotations = new HashMap<>();
    annotations.put(name, value);
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("resourceVersion", observed.getMetadata() == null ? "" : observed.getMetadata().getResourceVersion());
    metadata.put("annotations", annotations);
    String body;
    try {
      body = JSON.writeValueAsString(Map.of("metadata", metadata));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise node lock patch", e);
    }
    try {
      PatchUtils.patch(
          V1Node.class,
          () -> api.patchNode(node, new V1Patch(body)).buildCall(null),
          V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
          client);
    } catch (ApiException e) {
      throw failure("cannot write lock annotation " + name + " of node " + node, ApiFailure.of(e), e);
    }
  }

  private static RuntimeException failure(String what, ApiFailure failure, ApiException cause) {
    if (failure.isConflict()) {
      return new Retry(what + ": node changed concurrently (" + failure.describe() + ")");
    }
    if (failure.isTransient()) {
      return new Retry(what + ": " + failure.describe());
    }
    if (failure.isNotFound()) {
      return new NodeLockException(what + ": node not found (" + failure.describe() + ")", cause);
    }
    return new NodeLockException(what + ": " + failure.describe(), cause);
  }

  private static Instant parseLockTime(String node, String name, String value) {
    try {
      return OffsetDateTime.parse(value, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new NodeLockException("node " + node + " has an unreadable lock annotation " + name + "=\"" + value
          + "\" (expected an RFC 3339 time); remove the annotation to unlock the node");
    }
  }

  private static Map<String, String> annotations(V1Node node) {
    Map<String, String> annotations = node.getMetadata() == null ? null : node.getMetadata().getAnnotations();
    return annotations == null ? Map.of() : annotations;
  }

  private void pause(Duration delay, String node, PodView pod) {
    try {
      sleeper.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NodeLockException("interrupted while waiting for the lock of node " + node + " for pod " + pod.key());
    }
  }

  /** A failed attempt worth retrying (locked by someone else, write conflict, transient API failure). */
  private static final class Retry extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Retry(String message) {
      super(message, null, false, false);
    }
  }
}
