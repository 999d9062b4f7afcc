package io.github.volcanovgpu.bridge.quota;

import io.github.volcanovgpu.bridge.model.ContainerView;
import java.util.List;
import java.util.Objects;

/**
 * What a ResourceQuota's scopes look at in a pod (Kubernetes' {@code podMatchesScopeFunc}).
 *
 * @param terminating {@code spec.activeDeadlineSeconds} is set (>= 0)
 * @param bestEffort QoS class BestEffort: no container (init included) requests or limits cpu or memory
 * @param priorityClass {@code spec.priorityClassName}, empty when none
 * @param crossNamespaceAffinity a pod (anti-)affinity term names other namespaces or a namespace selector
 */
public record PodScope(boolean terminating, boolean bestEffort, String priorityClass,
    boolean crossNamespaceAffinity) {
  public PodScope {
    Objects.requireNonNull(priorityClass, "priorityClass");
  }

  /** Whether no container (app or init) requests or limits cpu or memory: QoS class BestEffort. */
  public static boolean bestEffort(List<ContainerView> containers, List<ContainerView> initContainers) {
    for (List<ContainerView> list : List.of(containers, initContainers)) {
      for (ContainerView c : list) {
        for (String r : COMPUTE) {
          if (c.limits().containsKey(r) || c.requests().containsKey(r)) {
            return false;
          }
        }
      }
    }
    return true;
  }

  private static final List<String> COMPUTE = List.of("cpu", "memory");
}
