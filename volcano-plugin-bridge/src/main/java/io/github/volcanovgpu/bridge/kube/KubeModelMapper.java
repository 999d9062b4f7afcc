package io.github.volcanovgpu.bridge.kube;

import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.quota.PodScope;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1Affinity;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodAffinityTerm;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Converts the Kubernetes client's models into the scheduler's views. Quantities become their canonical Kubernetes
 * string form ({@code "3k"} for 3000, {@code "1Gi"}, {@code "500m"}), as the API server and Volcano's JSON write them.
 */
final class KubeModelMapper {
  private KubeModelMapper() {}

  /** The node's own part of a {@code NodeView}: everything but its pods. */
  record NodeBase(String name, Map<String, String> annotations, Map<String, String> allocatable) {
    NodeBase {
      annotations = Map.copyOf(annotations);
      allocatable = Map.copyOf(allocatable);
    }
  }

  static PodView podView(V1Pod pod) {
    V1ObjectMeta meta = metadata(pod.getMetadata(), "pod");
    V1PodSpec spec = pod.getSpec();
    List<ContainerView> containers = spec == null ? List.of() : containers(spec.getContainers());
    List<ContainerView> initContainers = spec == null ? List.of() : containers(spec.getInitContainers());
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return new PodView(
        orEmpty(meta.getUid()),
        orEmpty(meta.getNamespace()),
        orEmpty(meta.getName()),
        strings(meta.getAnnotations()),
        containers,
        initContainers,
        spec == null ? "" : orEmpty(spec.getNodeName()),
        orEmpty(phase),
        orEmpty(meta.getResourceVersion()));
  }

  /** What ResourceQuota scopes look at in the pod. */
  static PodScope podScope(V1Pod pod) {
    V1PodSpec spec = pod.getSpec();
    if (spec == null) {
      return new PodScope(false, true, "", false);
    }
    boolean terminating = spec.getActiveDeadlineSeconds() != null && spec.getActiveDeadlineSeconds() >= 0;
    boolean crossNamespace = false;
    V1Affinity affinity = spec.getAffinity();
    if (affinity != null) {
      List<V1PodAffinityTerm> terms = new java.util.ArrayList<>();
      if (affinity.getPodAffinity() != null) {
        terms.addAll(orNone(affinity.getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()));
        orNone(affinity.getPodAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
            .forEach(w -> terms.add(w.getPodAffinityTerm()));
      }
      if (affinity.getPodAntiAffinity() != null) {
        terms.addAll(orNone(affinity.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()));
        orNone(affinity.getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
            .forEach(w -> terms.add(w.getPodAffinityTerm()));
      }
      for (V1PodAffinityTerm t : terms) {
        if (t != null && ((t.getNamespaces() != null && !t.getNamespaces().isEmpty())
            || t.getNamespaceSelector() != null)) {
          crossNamespace = true;
        }
      }
    }
    return new PodScope(terminating, PodScope.bestEffort(containers(spec.getContainers()),
        containers(spec.getInitContainers())), orEmpty(spec.getPriorityClassName()), crossNamespace);
  }

  private static <T> List<T> orNone(@Nullable List<T> list) {
    return list == null ? List.of() : list;
  }

  static NodeBase nodeBase(V1Node node) {
    V1ObjectMeta meta = metadata(node.getMetadata(), "node");
    Map<String, Quantity> allocatable = node.getStatus() == null ? null : node.getStatus().getAllocatable();
    return new NodeBase(orEmpty(meta.getName()), strings(meta.getAnnotations()), quantities(allocatable));
  }

  static ContainerView containerView(V1Container container) {
    V1ResourceRequirements resources = container.getResources();
    return new ContainerView(
        orEmpty(container.getName()),
        resources == null ? Map.of() : quantities(resources.getLimits()),
        resources == null ? Map.of() : quantities(resources.getRequests()));
  }

  private static List<ContainerView> containers(@Nullable List<V1Container> containers) {
    return containers == null ? List.of() : containers.stream().map(KubeModelMapper::containerView).toList();
  }

  private static Map<String, String> quantities(@Nullable Map<String, Quantity> quantities) {
    if (quantities == null || quantities.isEmpty()) {
      return Map.of();
    }
    Map<String, String> result = new LinkedHashMap<>();
    quantities.forEach(
        (name, quantity) -> {
          if (name != null && quantity != null) {
            result.put(name, quantity.toSuffixedString());
          }
        });
    return result;
  }

  private static Map<String, String> strings(@Nullable Map<String, String> map) {
    if (map == null || map.isEmpty()) {
      return Map.of();
    }
    Map<String, String> result = new LinkedHashMap<>();
    map.forEach(
        (key, value) -> {
          if (key != null && value != null) {
            result.put(key, value);
          }
        });
    return result;
  }

  private static V1ObjectMeta metadata(@Nullable V1ObjectMeta meta, String kind) {
    if (meta == null) {
      throw new IllegalArgumentException(kind + " without metadata");
    }
    return meta;
  }

  private static String orEmpty(@Nullable String value) {
    return value == null ? "" : value;
  }
}
