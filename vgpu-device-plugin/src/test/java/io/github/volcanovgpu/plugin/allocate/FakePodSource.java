package io.github.volcanovgpu.plugin.allocate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * In-memory {@link PodSource} with the API server's semantics that matter here: the field selector, UID and
 * resourceVersion preconditions (a successful patch bumps the resourceVersion) and node annotations.
 */
public final class FakePodSource implements PodSource {
  private final Map<String, PodSnapshot> pods = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> nodeAnnotations = new HashMap<>();
  private final List<String> lists = new ArrayList<>();
  private long version = 100;
  private @Nullable PodSourceException listFailure;
  private @Nullable Runnable beforeNextPatch;
  /** What the node's pod watch shows, when a test wants it to differ from the API server (lagging). */
  private @Nullable List<PodSnapshot> watched;
  private int watchedReads;

  public synchronized void put(PodSnapshot pod) {
    pods.put(pod.key(), pod);
  }

  public synchronized PodSnapshot get(String namespace, String name) {
    PodSnapshot pod = pods.get(namespace + "/" + name);
    if (pod == null) {
      throw new AssertionError("no pod " + namespace + "/" + name);
    }
    return pod;
  }

  /** An annotation of the pod named {@code name} (any namespace). */
  public synchronized String annotation(String name, String key) {
    return pods.values().stream().filter(p -> p.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no pod " + name)).annotation(key);
  }

  synchronized void lockNode(String node, String value) {
    lockNode(node, "hamivgpu", value);
  }

  /** Sets the node lock annotation {@code key} (HAMi kinds: {@code hami.io/mutex.lock}). */
  public synchronized void lockNode(String node, String key, String value) {
    nodeAnnotations.computeIfAbsent(node, n -> new HashMap<>()).put(key, value);
  }

  synchronized boolean nodeLocked(String node) {
    return nodeLocked(node, "hamivgpu");
  }

  public synchronized boolean nodeLocked(String node, String key) {
    return nodeAnnotations.getOrDefault(node, Map.of()).containsKey(key);
  }

  synchronized void failLists(@Nullable PodSourceException failure) {
    this.listFailure = failure;
  }

  /** Runs {@code action} (e.g. a concurrent writer's patch) just before the next patch is applied. */
  synchronized void beforeNextPatch(Runnable action) {
    this.beforeNextPatch = action;
  }

  /** Makes the watch show {@code pods} (e.g. an older version) instead of the API server's current state. */
  synchronized void watchShows(List<PodSnapshot> pods) {
    this.watched = List.copyOf(pods);
  }

  synchronized int watchedReads() {
    return watchedReads;
  }

  @Override
  public synchronized List<PodSnapshot> watchedPendingPodsOnNode(String node) {
    watchedReads++;
    if (watched == null) {
      return pods.values().stream()
          .filter(p -> p.nodeName().equals(node) && p.phase().equals(PodSnapshot.PENDING))
          .toList();
    }
    return watched.stream().filter(p -> p.nodeName().equals(node) && p.phase().equals(PodSnapshot.PENDING)).toList();
  }

  /** The field selectors' nodes of every list call. */
  synchronized List<String> listedNodes() {
    return List.copyOf(lists);
  }

  @Override
  public synchronized List<PodSnapshot> pendingPodsOnNode(String node) {
    lists.add(node);
    if (listFailure != null) {
      throw listFailure;
    }
    return pods.values().stream()
        .filter(p -> p.nodeName().equals(node) && p.phase().equals(PodSnapshot.PENDING))
        .toList();
  }

  @Override
  public synchronized PodSnapshot readPod(String namespace, String name) {
    PodSnapshot pod = pods.get(namespace + "/" + name);
    if (pod == null) {
      throw new PodSourceException(PodSourceException.Kind.NOT_FOUND, "pod " + namespace + "/" + name + " not found");
    }
    return pod;
  }

  @Override
  public synchronized PodSnapshot patchAnnotations(PodSnapshot observed, Map<String, Optional<String>> changes) {
    Runnable action = beforeNextPatch;
    if (action != null) {
      beforeNextPatch = null;
      action.run();
    }
    PodSnapshot current = readPod(observed.namespace(), observed.name());
    if (!current.uid().equals(observed.uid()) || !current.resourceVersion().equals(observed.resourceVersion())) {
      throw new PodSourceException(PodSourceException.Kind.CONFLICT, "pod " + observed.key() + " changed");
    }
    Map<String, String> annotations = new HashMap<>(current.annotations());
    changes.forEach((key, value) -> {
      if (value.isPresent()) {
        annotations.put(key, value.get());
      } else {
        annotations.remove(key);
      }
    });
    PodSnapshot patched = new PodSnapshot(current.namespace(), current.name(), current.uid(),
        Long.toString(++version), current.phase(), current.nodeName(), current.creationTimestamp(), annotations,
        current.initContainers(), current.containers());
    pods.put(patched.key(), patched);
    return patched;
  }

  @Override
  public synchronized boolean releaseNodeLock(String node, String lockKey) {
    Map<String, String> annotations = nodeAnnotations.get(node);
    return annotations != null && annotations.remove(lockKey) != null;
  }
}
