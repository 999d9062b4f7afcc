package io.github.volcanovgpu.bridge.simulate;

import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.EventResult;
import io.github.volcanovgpu.bridge.scheduling.EvictionResult;
import io.github.volcanovgpu.bridge.scheduling.PredicateResult;
import io.github.volcanovgpu.bridge.scheduling.PrioritizeResult;
import java.util.List;

/** Volcano's side of the extender protocol: the calls its scheduler makes to the sidecar. Thread-safe. */
public interface ExtenderClient {
  PredicateResult predicate(TaskView task, NodeView node);

  PrioritizeResult prioritize(TaskView task, List<NodeView> nodes);

  EventResult allocate(TaskView task);

  EventResult deallocate(TaskView task);

  /** Volcano's preempt action asks which of {@code evictees} to evict for {@code evictor}. */
  default EvictionResult preemptable(TaskView evictor, List<TaskView> evictees) {
    return new EvictionResult(EvictionResult.ABSTAIN, List.of(), "not asked");
  }
}
