package io.github.volcanovgpu.bridge.model;

import java.util.Map;
import java.util.Objects;

/**
 * Volcano's TaskInfo, reduced to what the scheduler needs.
 *
 * @param pod the task's pod
 * @param status {@link TaskStatus} value
 * @param nodeName {@code TaskInfo.NodeName} (set for allocate / deallocate), empty otherwise
 * @param podAnnotations {@code TaskInfo.PodAnnotations} (Volcano >= 1.16: the annotations that will be sent on the
 *     Binding); empty when the field is absent
 */
public record TaskView(PodView pod, int status, String nodeName, Map<String, String> podAnnotations) {
  public TaskView {
    Objects.requireNonNull(pod, "pod");
    Objects.requireNonNull(nodeName, "nodeName");
    podAnnotations = Map.copyOf(podAnnotations);
  }

  public static TaskView of(PodView pod) {
    return new TaskView(pod, TaskStatus.PENDING, pod.nodeName(), Map.of());
  }
}
