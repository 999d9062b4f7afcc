package io.github.volcanovgpu.bridge.simulate;

import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.scheduling.AssignmentWriter;
import io.github.volcanovgpu.bridge.scheduling.ClusterState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * An in-memory stand-in for the API server's nodes and pods: the embedded simulation's cluster, and a fake for
 * tests. Behaves like a synced informer cache plus merge-patch writes of pod annotations; each change produces
 * new immutable node views, as an informer does. Thread-safe.
 */
public final class InMemoryCluster implements ClusterState, AssignmentWriter, SessionCluster {
  private final Object lock = new Object();
  private final Map<String, NodeView> nodes = new LinkedHashMap<>();
  private final Map<String, PodView> podsByUid = new LinkedHashMap<>();
  private final Map<String, NodeView> views = new HashMap<>();
  private final Map<String, io.github.volcanovgpu.bridge.quota.PodScope> scopes = new HashMap<>();
  private boolean synced = true;
  private int patches;

  /** Adds or replaces a node (its pods list is ignored; pods are added with {@link #putPod}). */
  public void putNode(NodeView node) {
    synchronized (lock) {
      nodes.put(node.name(), NodeView.of(node.name(), node.annotations(), node.allocatable(), List.of()));
      views.remove(node.name());
    }
  }

  /** Adds or replaces a pod (by UID). */
  public void putPod(PodView pod) {
    synchronized (lock) {
      PodView old = podsByUid.put(pod.uid(), pod);
      invalidate(old);
      invalidate(pod);
    }
  }

  @Override
  public PodView submit(PodView pod) {
    putPod(pod);
    return pod;
  }

  @Override
  public void evict(String uid) {
    removePod(uid);
  }

  public void removePod(String uid) {
    synchronized (lock) {
      invalidate(podsByUid.remove(uid));
    }
  }

  /** Binds a pod to a node (what the pods/binding subresource does), keeping its annotations. */
  @Override
  public void bind(String uid, String node) {
    synchronized (lock) {
      PodView pod = podsByUid.get(uid);
      if (pod == null) {
        throw new IllegalArgumentException("no pod with uid " + uid);
      }
      putPod(pod.withNodeName(node));
    }
  }

  @Override
  public Optional<PodView> pod(String uid) {
    synchronized (lock) {
      return Optional.ofNullable(podsByUid.get(uid));
    }
  }

  public List<PodView> pods() {
    synchronized (lock) {
      return List.copyOf(podsByUid.values());
    }
  }

  @Override
  public List<PodView> podsIn(String namespace) {
    synchronized (lock) {
      return podsByUid.values().stream().filter(p -> p.namespace().equals(namespace)).toList();
    }
  }

  /** Simulates an informer that has not finished its initial list. */
  public void setSynced(boolean value) {
    synchronized (lock) {
      synced = value;
    }
  }

  /** Number of annotation patches applied. */
  public int patchCount() {
    synchronized (lock) {
      return patches;
    }
  }

  private void invalidate(PodView pod) {
    if (pod != null && !pod.nodeName().isEmpty()) {
      views.remove(pod.nodeName());
    }
  }

  @Override
  public boolean isSynced() {
    synchronized (lock) {
      return synced;
    }
  }

  /** Records what quota scopes see in a pod (what the informer reads from a real pod's spec). */
  public void putScope(String uid, io.github.volcanovgpu.bridge.quota.PodScope scope) {
    synchronized (lock) {
      scopes.put(uid, scope);
    }
  }

  @Override
  public Optional<io.github.volcanovgpu.bridge.quota.PodScope> podScope(String uid) {
    synchronized (lock) {
      return Optional.ofNullable(scopes.get(uid));
    }
  }

  @Override
  public Optional<NodeView> node(String name) {
    synchronized (lock) {
      NodeView base = nodes.get(name);
      if (base == null) {
        return Optional.empty();
      }
      NodeView view = views.get(name);
      if (view == null) {
        List<PodView> on = new ArrayList<>();
        for (PodView p : podsByUid.values()) {
          if (p.nodeName().equals(name) && !p.isTerminated()) {
            on.add(p);
          }
        }
        view = NodeView.of(name, base.annotations(), base.allocatable(), on);
        views.put(name, view);
      }
      return Optional.of(view);
    }
  }

  @Override
  public Collection<String> nodeNames() {
    synchronized (lock) {
      return new TreeSet<>(nodes.keySet());
    }
  }

  @Override
  public void patchAnnotations(PodView pod, Map<String, Optional<String>> changes) {
    synchronized (lock) {
      PodView current = podsByUid.get(pod.uid());
      if (current == null) {
        throw new AssignmentWriteException("pod " + pod.key() + " not found (uid " + pod.uid() + ")");
      }
      Map<String, String> annotations = new HashMap<>(current.annotations());
      changes.forEach((k, v) -> {
        if (v.isPresent()) {
          annotations.put(k, v.get());
        } else {
          annotations.remove(k);
        }
      });
      patches++;
      putPod(current.withAnnotations(annotations));
    }
  }
}
