package io.github.volcanovgpu.bridge.device;

import io.github.volcanovgpu.bridge.model.PodView;

/** The pod-group key per-group rules use: {@code namespace/group} from the Kubernetes or Volcano annotation. */
public final class PodGroups {
  /** Pod: pod-group name (Kubernetes scheduling). */
  public static final String K8S_GROUP_NAME = "scheduling.k8s.io/group-name";
  /** Pod: pod-group name (Volcano). */
  public static final String VOLCANO_GROUP_NAME = "scheduling.volcano.sh/group-name";
  /** Pod: the vcjob that created it (Volcano's job controller sets it). */
  public static final String VOLCANO_JOB_NAME = "volcano.sh/job-name";

  private PodGroups() {}

  /** {@code namespace/group}, empty when the pod names no group. */
  public static String key(PodView pod) {
    String group = pod.annotations().get(K8S_GROUP_NAME);
    if (group == null || group.isEmpty()) {
      group = pod.annotations().get(VOLCANO_GROUP_NAME);
    }
    return group == null || group.isEmpty() ? "" : pod.namespace() + "/" + group;
  }
}
