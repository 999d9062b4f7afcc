package io.github.volcanovgpu.bridge.scheduling;

import io.github.volcanovgpu.bridge.model.NodeView;
import java.util.Optional;

/**
 * Where the scheduler reads nodes and the pods on them when the request does not carry them: the informer cache
 * fed by the API server ({@code bridge.kube}), or nothing. Implementations are thread-safe.
 */
public interface ClusterState {
  /** True once the cache reflects the API server (initial list done, watch running). */
  boolean isSynced();

  /** The node with its annotations, allocatable and non-terminated pods; empty when unknown. */
  Optional<NodeView> node(String name);

  /** Names of the nodes the cache holds (for metrics); empty when it holds none. */
  default java.util.Collection<String> nodeNames() {
    return java.util.List.of();
  }

  /** What ResourceQuota scopes look at in a pod the cache holds (by uid); empty when unknown. */
  default Optional<io.github.volcanovgpu.bridge.quota.PodScope> podScope(String podUid) {
    return Optional.empty();
  }

  /**
   * The pods the cache holds in {@code namespace}, bound or pending, for {@code explain}; empty when it holds none.
   * Not on any scheduling path: it may copy.
   */
  default java.util.List<io.github.volcanovgpu.bridge.model.PodView> podsIn(String namespace) {
    return java.util.List.of();
  }

  /** No API server: never synced, knows nothing. */
  ClusterState NONE =
      new ClusterState() {
        @Override
        public boolean isSynced() {
          return false;
        }

        @Override
        public Optional<NodeView> node(String name) {
          return Optional.empty();
        }
      };
}
