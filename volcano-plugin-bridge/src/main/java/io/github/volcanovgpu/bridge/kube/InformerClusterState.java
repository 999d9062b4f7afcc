package io.github.volcanovgpu.bridge.kube;

import io.github.volcanovgpu.bridge.kube.KubeModelMapper.NodeBase;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.quota.PodScope;
import io.github.volcanovgpu.bridge.scheduling.ClusterState;
import io.github.volcanovgpu.process.kube.Informers;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ClusterState} fed by a node informer and a pod informer. Pods are converted to {@link PodView}s when their
 * events arrive and indexed by {@code spec.nodeName}; each node keeps a ready-made {@link NodeView}, so
 * {@link #node(String)} — called on every predicate — is a map lookup.
 *
 * <p>Terminated pods (phase Succeeded or Failed) are filtered out by the watch's field selector and again on
 * conversion; unbound pods are not indexed. Lifecycle: {@link #start()}, then {@link #close()}.
 */
public final class InformerClusterState implements ClusterState, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InformerClusterState.class);

  /** Terminated pods hold no devices; the API server filters them out of list and watch. */
  static final String NON_TERMINATED_PODS = "status.phase!=Succeeded,status.phase!=Failed";

  private final Informers informers;
  private final SharedIndexInformer<V1Node> nodeInformer;
  private final SharedIndexInformer<V1Pod> podInformer;

  /** Node name → the node (if its object was seen) and its indexed pods. Replaced per key with compute(). */
  private final ConcurrentHashMap<String, NodeSlot> slots = new ConcurrentHashMap<>();

  /** Every pod seen, by UID → the node it is indexed under ("" when unbound or terminated). */
  private final ConcurrentHashMap<String, String> podNodes = new ConcurrentHashMap<>();
  /** Pod uid to what quota scopes look at; a pod's scope fields are immutable, so it is written once. */
  private final ConcurrentHashMap<String, PodScope> podScopes = new ConcurrentHashMap<>();

  /** Set once the handlers have caught up with the informers' initial lists. */
  private final AtomicBoolean caughtUp = new AtomicBoolean();

  /**
   * @param watchClient a client without read timeout (see {@link KubeClients#watches()})
   */
  public InformerClusterState(ApiClient watchClient) {
    this.informers = new Informers(watchClient, "kube-informer-");
    this.nodeInformer = informers.nodes();
    this.podInformer = informers.pods(NON_TERMINATED_PODS);
    nodeInformer.addEventHandler(new NodeHandler());
    podInformer.addEventHandler(new PodHandler());
  }

  /** Starts both informers (list, then watch) in the background. */
  public void start() {
    informers.start();
  }

  /** Waits until {@link #isSynced()}; false on timeout. */
  public boolean awaitSynced(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!isSynced()) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  @Override
  public boolean isSynced() {
    if (caughtUp.get()) {
      return true;
    }
    if (!nodeInformer.hasSynced() || !podInformer.hasSynced()) {
      return false;
    }
    // The informers' stores are filled before their handlers run; synced means our index reflects the lists too.
    for (V1Pod pod : podInformer.getIndexer().list()) {
      String uid = pod.getMetadata() == null ? null : pod.getMetadata().getUid();
      if (uid != null && !podNodes.containsKey(uid)) {
        return false;
      }
    }
    for (V1Node node : nodeInformer.getIndexer().list()) {
      String name = node.getMetadata() == null ? null : node.getMetadata().getName();
      NodeSlot slot = name == null ? null : slots.get(name);
      if (name != null && (slot == null || slot.node() == null)) {
        return false;
      }
    }
    caughtUp.set(true);
    LOG.info("cluster state synced: {} nodes, {} pods", nodeInformer.getIndexer().list().size(), podNodes.size());
    return true;
  }

  @Override
  public Optional<NodeView> node(String name) {
    NodeSlot slot = slots.get(name);
    return slot == null ? Optional.empty() : Optional.ofNullable(slot.view());
  }

  @Override
  public java.util.List<PodView> podsIn(String namespace) {
    java.util.List<PodView> out = new java.util.ArrayList<>();
    for (V1Pod pod : podInformer.getIndexer().list()) {
      if (pod.getMetadata() != null && namespace.equals(pod.getMetadata().getNamespace())) {
        out.add(KubeModelMapper.podView(pod));
      }
    }
    return out;
  }

  @Override
  public Optional<PodScope> podScope(String podUid) {
    return Optional.ofNullable(podScopes.get(podUid));
  }

  @Override
  public void close() {
    informers.close();
  }

  private void upsertPod(V1Pod pod) {
    PodView view = KubeModelMapper.podView(pod);
    if (view.uid().isEmpty()) {
      LOG.warn("ignoring pod {} without uid", view.key());
      return;
    }
    String node = view.nodeName().isEmpty() || view.isTerminated() ? "" : view.nodeName();
    podScopes.computeIfAbsent(view.uid(), uid -> KubeModelMapper.podScope(pod));
    String previous = podNodes.get(view.uid());
    if (previous != null && !previous.isEmpty() && !previous.equals(node)) {
      slots.computeIfPresent(previous, (name, slot) -> slot.withoutPod(view.uid()));
    }
    if (!node.isEmpty()) {
      slots.compute(node, (name, slot) -> (slot == null ? NodeSlot.empty(name) : slot).withPod(view));
    }
    // Recorded last: isSynced() counts a pod as indexed once it is here, so node() must show it by then (the
    // handlers are the only writers, one thread per informer; the map publishes the slot written before).
    podNodes.put(view.uid(), node);
  }

  private void removePod(V1Pod pod) {
    String uid = pod.getMetadata() == null ? null : pod.getMetadata().getUid();
    if (uid == null) {
      return;
    }
    podScopes.remove(uid);
    String previous = podNodes.remove(uid);
    if (previous != null && !previous.isEmpty()) {
      slots.computeIfPresent(previous, (name, slot) -> slot.withoutPod(uid));
    }
  }

  private void upsertNode(V1Node node) {
    NodeBase base = KubeModelMapper.nodeBase(node);
    slots.compute(base.name(), (name, slot) -> (slot == null ? NodeSlot.empty(name) : slot).withNode(base));
  }

  private void removeNode(V1Node node) {
    String name = node.getMetadata() == null ? null : node.getMetadata().getName();
    if (name != null) {
      slots.computeIfPresent(name, (key, slot) -> slot.withNode(null));
    }
  }

  /**
   * One node's entry: its object (null while only pods naming it were seen, or after it was deleted), its pods by
   * UID, and the view handed to readers (null without a node object). Immutable; replaced on every event.
   */
  private record NodeSlot(String name, @Nullable NodeBase node, Map<String, PodView> pods, @Nullable NodeView view) {
    static NodeSlot empty(String name) {
      return new NodeSlot(name, null, Map.of(), null);
    }

    NodeSlot withNode(@Nullable NodeBase newNode) {
      return of(name, newNode, pods);
    }

    NodeSlot withPod(PodView pod) {
      Map<String, PodView> newPods = new LinkedHashMap<>(pods);
      newPods.put(pod.uid(), pod);
      return of(name, node, Collections.unmodifiableMap(newPods));
    }

    @Nullable
    NodeSlot withoutPod(String uid) {
      if (!pods.containsKey(uid)) {
        return this;
      }
      Map<String, PodView> newPods = new LinkedHashMap<>(pods);
      newPods.remove(uid);
      return of(name, node, Collections.unmodifiableMap(newPods));
    }

    /** Null (drop the entry) when neither a node nor pods remain. */
    private static @Nullable NodeSlot of(String name, @Nullable NodeBase node, Map<String, PodView> pods) {
      if (node == null && pods.isEmpty()) {
        return null;
      }
      NodeView view =
          node == null ? null
              : NodeView.of(name, node.annotations(), node.allocatable(), new ArrayList<>(pods.values()));
      return new NodeSlot(name, node, pods, view);
    }
  }

  private final class PodHandler implements ResourceEventHandler<V1Pod> {
    @Override
    public void onAdd(V1Pod pod) {
      guarded("add", pod, () -> upsertPod(pod));
    }

    @Override
    public void onUpdate(V1Pod oldPod, V1Pod newPod) {
      guarded("update", newPod, () -> upsertPod(newPod));
    }

    @Override
    public void onDelete(V1Pod pod, boolean deletedFinalStateUnknown) {
      guarded("delete", pod, () -> removePod(pod));
    }
  }

  private final class NodeHandler implements ResourceEventHandler<V1Node> {
    @Override
    public void onAdd(V1Node node) {
      guarded("add", node, () -> upsertNode(node));
    }

    @Override
    public void onUpdate(V1Node oldNode, V1Node newNode) {
      guarded("update", newNode, () -> upsertNode(newNode));
    }

    @Override
    public void onDelete(V1Node node, boolean deletedFinalStateUnknown) {
      guarded("delete", node, () -> removeNode(node));
    }
  }

  /** A bad object must not stop the informer's delivery thread. */
  private static void guarded(String event, KubernetesObject object, Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      V1ObjectMeta meta = object.getMetadata();
      LOG.warn("ignoring {} of {} {}/{}: {}", event, object.getKind(), meta == null ? "" : meta.getNamespace(),
          meta == null ? "" : meta.getName(), e.toString());
    }
  }
}
