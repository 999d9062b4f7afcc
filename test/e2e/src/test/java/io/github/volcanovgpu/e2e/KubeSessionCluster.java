package io.github.volcanovgpu.e2e;

import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.simulate.SessionCluster;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Binding;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The session driver's cluster on a real API server: Volcano's job controller creating the pods of a vcjob
 * ({@code schedulerName: volcano}), and Volcano's binder posting {@code pods/binding} with the pod's annotations as
 * the Binding's (the API server overlays them onto the pod, so they must not undo the sidecar's patch).
 */
final class KubeSessionCluster implements SessionCluster {
  private final CoreV1Api api;
  private final List<String> nodes = new CopyOnWriteArrayList<>();
  private final Map<String, PodView> submitted = new ConcurrentHashMap<>();

  KubeSessionCluster(CoreV1Api api) {
    this.api = api;
  }

  void addNode(String name) {
    if (!nodes.contains(name)) {
      nodes.add(name);
    }
  }

  void removeNode(String name) {
    nodes.remove(name);
  }

  @Override
  public PodView submit(PodView pod) {
    V1Pod p = new V1Pod()
        .metadata(new V1ObjectMeta().name(pod.name()).namespace(pod.namespace())
            .annotations(new LinkedHashMap<>(pod.annotations())))
        .spec(new V1PodSpec().schedulerName("volcano").automountServiceAccountToken(false).overhead(null)
            .containers(containers(pod.containers()))
            .initContainers(pod.initContainers().isEmpty() ? null : containers(pod.initContainers())));
    try {
      PodView created = view(api.createNamespacedPod(pod.namespace(), p).execute());
      submitted.put(created.uid(), created);
      return created;
    } catch (ApiException e) {
      throw new IllegalStateException("create pod " + pod.key() + ": " + e.getCode() + " " + e.getResponseBody(), e);
    }
  }

  @Override
  public Optional<PodView> pod(String uid) {
    PodView known = submitted.get(uid);
    if (known == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(view(api.readNamespacedPod(known.name(), known.namespace()).execute()));
    } catch (ApiException e) {
      if (e.getCode() == 404) {
        return Optional.empty();
      }
      throw new IllegalStateException("read pod " + known.key() + ": " + e.getCode(), e);
    }
  }

  @Override
  public void bind(String uid, String node) {
    PodView pod = submitted.get(uid);
    if (pod == null) {
      throw new IllegalArgumentException("no submitted pod with uid " + uid);
    }
    V1Binding binding = new V1Binding()
        .metadata(new V1ObjectMeta().name(pod.name()).namespace(pod.namespace()).uid(uid)
            .annotations(new LinkedHashMap<>(pod.annotations())))
        .target(new V1ObjectReference().kind("Node").apiVersion("v1").name(node));
    try {
      api.createNamespacedPodBinding(pod.name(), pod.namespace(), binding).execute();
    } catch (ApiException e) {
      throw new IllegalStateException("bind " + pod.key() + " to " + node + ": " + e.getCode() + " "
          + e.getResponseBody(), e);
    }
  }

  @Override
  public Collection<String> nodeNames() {
    return List.copyOf(nodes);
  }

  @Override
  public Optional<NodeView> node(String name) {
    return nodes.contains(name) ? Optional.of(NodeView.named(name)) : Optional.empty();
  }

  private static List<V1Container> containers(List<ContainerView> views) {
    List<V1Container> out = new ArrayList<>();
    for (ContainerView c : views) {
      V1ResourceRequirements r = new V1ResourceRequirements();
      c.limits().forEach((k, v) -> r.putLimitsItem(k, Quantity.fromString(v)));
      c.requests().forEach((k, v) -> r.putRequestsItem(k, Quantity.fromString(v)));
      out.add(new V1Container().name(c.name()).image("registry.k8s.io/pause:3.9").resources(r));
    }
    return out;
  }

  /** The pod as the scheduler sees it (quantities as plain strings, which is all the vGPU resources use). */
  static PodView view(V1Pod pod) {
    V1ObjectMeta m = pod.getMetadata();
    V1PodSpec s = pod.getSpec();
    return new PodView(m.getUid(), m.getNamespace(), m.getName(),
        m.getAnnotations() == null ? Map.of() : m.getAnnotations(),
        containerViews(s == null ? null : s.getContainers()), containerViews(s == null ? null : s.getInitContainers()),
        s == null || s.getNodeName() == null ? "" : s.getNodeName(),
        pod.getStatus() == null || pod.getStatus().getPhase() == null ? "" : pod.getStatus().getPhase(),
        m.getResourceVersion() == null ? "" : m.getResourceVersion());
  }

  private static List<ContainerView> containerViews(@org.jspecify.annotations.Nullable List<V1Container> cs) {
    List<ContainerView> out = new ArrayList<>();
    if (cs != null) {
      for (V1Container c : cs) {
        Map<String, String> limits = new LinkedHashMap<>();
        Map<String, String> requests = new LinkedHashMap<>();
        if (c.getResources() != null && c.getResources().getLimits() != null) {
          c.getResources().getLimits().forEach((k, v) -> limits.put(k, v.toSuffixedString()));
        }
        if (c.getResources() != null && c.getResources().getRequests() != null) {
          c.getResources().getRequests().forEach((k, v) -> requests.put(k, v.toSuffixedString()));
        }
        out.add(new ContainerView(c.getName(), limits, requests));
      }
    }
    return out;
  }
}
