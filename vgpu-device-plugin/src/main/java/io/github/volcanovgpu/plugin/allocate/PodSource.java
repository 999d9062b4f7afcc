package io.github.volcanovgpu.plugin.allocate;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pods and node the Allocate path reads and writes. Implementations: {@link KubePodSource} (the API server) and
 * an in-memory fake in the tests.
 */
public interface PodSource {
  /**
   * The pods bound to {@code node} whose phase is Pending (field selector
   * {@code spec.nodeName=<node>,status.phase=Pending}), never every pod of the cluster.
   *
   * @throws PodSourceException when the API server cannot answer
   */
  List<PodSnapshot> pendingPodsOnNode(String node);

  /**
   * Like {@link #pendingPodsOnNode} but may answer from a watch of the node's pods, which can lag the API server by
   * a few milliseconds (a pod not there yet, an annotation not yet updated). Callers must treat a miss as "ask
   * {@link #pendingPodsOnNode}" and rely on {@link #patchAnnotations}' resourceVersion precondition for staleness.
   * Sources without a watch answer from the API server.
   */
  default List<PodSnapshot> watchedPendingPodsOnNode(String node) {
    return pendingPodsOnNode(node);
  }

  /**
   * The pod as it is now.
   *
   * @throws PodSourceException when the API server cannot answer or the pod is gone ({@link
   *     PodSourceException.Kind#NOT_FOUND})
   */
  PodSnapshot readPod(String namespace, String name);

  /**
   * Merge-patches annotations of {@code observed}: a value sets the key, an empty {@link Optional} removes it. The
   * patch carries {@code observed}'s UID and resourceVersion, so a pod changed or re-created since it was read is
   * not touched ({@link PodSourceException.Kind#CONFLICT}).
   *
   * @return the pod after the patch
   */
  PodSnapshot patchAnnotations(PodSnapshot observed, Map<String, Optional<String>> changes);

  /**
   * Removes the node lock annotation {@code lockKey} ({@code hamivgpu}, {@code hami.io/mutex.lock}) from
   * {@code node} if present.
   *
   * @return true when a lock was removed
   */
  boolean releaseNodeLock(String node, String lockKey);
}
