package io.github.volcanovgpu.bridge.simulate;

import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import java.util.Collection;
import java.util.Optional;

/**
 * The cluster a {@link SessionDriver} schedules into: where the job controller creates pods and where binding
 * happens. {@link InMemoryCluster} for the embedded simulation; the e2e suite implements it on a real API server
 * (pods created there, bound through the {@code pods/binding} subresource).
 */
public interface SessionCluster {
  /** Creates the pod as Volcano's job controller would; returns it as stored (with the UID the cluster gave it). */
  PodView submit(PodView pod);

  /** The pod as the cluster has it now (annotations written by the sidecar included). */
  Optional<PodView> pod(String uid);

  /** Binds the pod to the node, as Volcano's binder does. */
  void bind(String uid, String node);

  /** The nodes the session considers. */
  Collection<String> nodeNames();

  /** Deletes a pod Volcano evicted (its preempt action); clusters that cannot evict refuse. */
  default void evict(String uid) {
    throw new UnsupportedOperationException("this cluster does not evict pods");
  }

  /** The node with its pods (sent to the extender only when it has no cache). */
  Optional<NodeView> node(String name);
}
