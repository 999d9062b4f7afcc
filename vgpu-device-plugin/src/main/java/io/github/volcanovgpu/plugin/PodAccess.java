package io.github.volcanovgpu.plugin;

import io.github.volcanovgpu.plugin.DevicePlugin.Cluster;
import io.github.volcanovgpu.plugin.allocate.KubePodSource;
import io.github.volcanovgpu.plugin.allocate.NodePodWatch;
import io.github.volcanovgpu.plugin.allocate.PodSnapshot;
import io.github.volcanovgpu.plugin.allocate.PodSource;
import io.github.volcanovgpu.plugin.allocate.PodSourceException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Step one of a plugin start: where Allocate finds its pods. With an API server, the node's pod watch (when a watch
 * client is given) and the pod source reading through it; an in-memory source in tests; without either, a source
 * that fails every call with UNAVAILABLE. Closing stops the watch.
 */
final class PodAccess implements AutoCloseable {
  private final PodSource pods;
  private final @Nullable NodePodWatch watch;

  private PodAccess(PodSource pods, @Nullable NodePodWatch watch) {
    this.pods = pods;
    this.watch = watch;
  }

  static PodAccess of(Cluster cluster, String node) {
    if (cluster instanceof Cluster.Api api) {
      NodePodWatch watch = api.watchClient() == null ? null : new NodePodWatch(api.watchClient(), node).start();
      return new PodAccess(new KubePodSource(api.client(), watch), watch);
    }
    if (cluster instanceof Cluster.Pods given) {
      return new PodAccess(given.pods(), null);
    }
    return new PodAccess(unavailable(), null);
  }

  PodSource pods() {
    return pods;
  }

  /** The node's pod watch, when there is one (it also tells which pods are gone, for the leftover collectors). */
  Optional<NodePodWatch> watch() {
    return Optional.ofNullable(watch);
  }

  @Override
  public void close() {
    if (watch != null) {
      watch.close();
    }
  }

  private static PodSource unavailable() {
    PodSourceException down = new PodSourceException(PodSourceException.Kind.UNAVAILABLE,
        "no Kubernetes API server configured: cannot find the pod this Allocate is for");
    return new PodSource() {
      @Override
      public List<PodSnapshot> pendingPodsOnNode(String node) {
        throw down;
      }

      @Override
      public PodSnapshot readPod(String namespace, String name) {
        throw down;
      }

      @Override
      public PodSnapshot patchAnnotations(PodSnapshot observed, Map<String, Optional<String>> changes) {
        throw down;
      }

      @Override
      public boolean releaseNodeLock(String node, String lockKey) {
        throw down;
      }
    };
  }
}
