package io.github.volcanovgpu.bridge.scheduling;

import io.github.volcanovgpu.bridge.ledger.NodeUsage;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.TaskView;
import java.util.List;
import java.util.Map;

/**
 * The one scheduling core behind both front doors (Volcano extender HTTP and gRPC). Thread-safe: predicate and
 * prioritize run concurrently from many workers; allocate / deallocate commit to the ledger under a per-node lock.
 */
public final class PlacementEngine {
  // implementation in progress: see PlacementEngine in the next commit

  /**
   * True when the engine cannot read nodes from a synced cache, so the transport must parse node details (node
   * annotations, allocatable, the Tasks' pods) from the request. When false a node's name is enough.
   */
  public boolean needsNodeDetails() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Volcano predicate: does the task's pod fit on the node. */
  public PredicateResult predicate(TaskView task, NodeView node) {
    throw new UnsupportedOperationException("not yet");
  }

  /** Volcano prioritize: a score per candidate node (0 for nodes where the pod does not fit). */
  public PrioritizeResult prioritize(TaskView task, List<NodeView> nodes) {
    throw new UnsupportedOperationException("not yet");
  }

  /** Volcano allocateFunc: commit the task to {@code task.nodeName()}. */
  public EventResult allocate(TaskView task) {
    throw new UnsupportedOperationException("not yet");
  }

  /** Volcano deallocateFunc: undo or release. */
  public EventResult deallocate(TaskView task) {
    throw new UnsupportedOperationException("not yet");
  }

  /** Session open: nodes Volcano sent (may be empty). */
  public void openSession(List<NodeView> nodes) {
    throw new UnsupportedOperationException("not yet");
  }

  public void closeSession() {
    throw new UnsupportedOperationException("not yet");
  }

  /** Usage of every node the engine knows, for metrics and the simulator. */
  public Map<String, NodeUsage> usage() {
    throw new UnsupportedOperationException("not yet");
  }
}
