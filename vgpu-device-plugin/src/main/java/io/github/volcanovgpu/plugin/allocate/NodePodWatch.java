package io.github.volcanovgpu.plugin.allocate;

import io.github.volcanovgpu.process.kube.Informers;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A watch of the pods bound to this node (field selector {@code spec.nodeName=<node>}), so that Allocate finds its
 * pod without a LIST round trip to the API server. The kubelet learns about a pod through the same kind of watch,
 * so by the time it calls Allocate the pod is normally here. The cache is only a fast path: {@link
 * VgpuAllocationHandler} falls back to a LIST when the cache has no candidate, and every write carries the observed
 * resourceVersion, so a stale entry costs a retry, never a wrong assignment.
 */
public final class NodePodWatch implements AutoCloseable {
  private final Informers informers;
  private final SharedIndexInformer<V1Pod> informer;

  /**
   * @param watchClient a client without read timeout (watches are long requests)
   */
  public NodePodWatch(ApiClient watchClient, String node) {
    Objects.requireNonNull(node, "node");
    this.informers = new Informers(watchClient, "pod-watch-" + node + "-");
    this.informer = informers.pods("spec.nodeName=" + node);
  }

  /** Starts listing and watching in the background. */
  public NodePodWatch start() {
    informers.start();
    return this;
  }

  /** The Pending pods of the node as last seen; empty before the first LIST completed. */
  public Optional<List<PodSnapshot>> pendingPods() {
    if (!informer.hasSynced()) {
      return Optional.empty();
    }
    List<PodSnapshot> out = new ArrayList<>();
    for (V1Pod pod : informer.getIndexer().list()) {
      if (pod.getStatus() != null && PodSnapshot.PENDING.equals(pod.getStatus().getPhase())) {
        out.add(KubePodSource.snapshot(pod));
      }
    }
    return Optional.of(out);
  }

  /** The UIDs of every pod bound to the node (any phase) as last seen; empty before the first LIST completed. */
  public Optional<java.util.Set<String>> podUids() {
    if (!informer.hasSynced()) {
      return Optional.empty();
    }
    java.util.Set<String> out = new java.util.HashSet<>();
    for (V1Pod pod : informer.getIndexer().list()) {
      if (pod.getMetadata() != null && pod.getMetadata().getUid() != null) {
        out.add(pod.getMetadata().getUid());
      }
    }
    return Optional.of(out);
  }

  public boolean hasSynced() {
    return informer.hasSynced();
  }

  @Override
  public void close() {
    informers.close();
  }
}
