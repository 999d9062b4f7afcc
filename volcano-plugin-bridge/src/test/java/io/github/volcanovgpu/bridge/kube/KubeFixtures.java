package io.github.volcanovgpu.bridge.kube;

import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import java.util.LinkedHashMap;
import java.util.Map;

/** Pods and nodes for tests: nothing runs them, so an image name is all a container needs. */
public final class KubeFixtures {
  private KubeFixtures() {}

  /**
   * A pod with one container. client-java 25 serialises every unset map as {@code {}}; kube-apiserver (1.20 and 1.36) refuses
   * {@code spec.overhead: {}} without a RuntimeClass (403), so it is cleared.
   */
  public static V1Pod pod(String namespace, String name, String nodeName, Map<String, String> limits) {
    return new V1Pod()
        .metadata(new V1ObjectMeta().namespace(namespace).name(name))
        .spec(new V1PodSpec()
            .automountServiceAccountToken(false)
            .overhead(null)
            .nodeName(nodeName.isEmpty() ? null : nodeName)
            .addContainersItem(container("main", limits)));
  }

  /**
   * Marks {@code pod} as the sidecar's allocate leaves it: {@code vgpu-node}, {@code vgpu-time},
   * {@code vgpu-ids-new} = {@code devices-to-allocate} = {@code devices}, {@code bind-phase=allocating}.
   */
  public static V1Pod assignedBySidecar(V1Pod pod, String node, String devices, String vgpuTime) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put(VgpuAnnotations.VGPU_NODE, node);
    a.put(VgpuAnnotations.VGPU_TIME, vgpuTime);
    a.put(VgpuAnnotations.VGPU_IDS_NEW, devices);
    a.put(VgpuAnnotations.DEVICES_TO_ALLOCATE, devices);
    a.put(VgpuAnnotations.BIND_PHASE, VgpuAnnotations.BIND_PHASE_ALLOCATING);
    pod.getMetadata().annotations(a);
    return pod;
  }

  public static V1Container container(String name, Map<String, String> limits) {
    Map<String, Quantity> quantities = new LinkedHashMap<>();
    limits.forEach((key, value) -> quantities.put(key, Quantity.fromString(value)));
    return new V1Container().name(name).image("example.invalid/none:1")
        .resources(new V1ResourceRequirements().limits(quantities));
  }

  public static V1Node node(TestNamespace owner, String name, Map<String, String> annotations,
      Map<String, String> allocatable) {
    Map<String, Quantity> quantities = new LinkedHashMap<>();
    allocatable.forEach((key, value) -> quantities.put(key, Quantity.fromString(value)));
    return new V1Node()
        .metadata(new V1ObjectMeta().name(name).labels(owner.ownerLabels()).annotations(annotations))
        .status(new V1NodeStatus().allocatable(quantities).capacity(quantities));
  }

  public static V1Pod createPod(CoreV1Api api, V1Pod pod) throws ApiException {
    return api.createNamespacedPod(pod.getMetadata().getNamespace(), pod).execute();
  }

  /** Sets {@code status.phase} through the status subresource (what a kubelet would do). */
  public static V1Pod setPhase(CoreV1Api api, V1Pod pod, String phase) throws ApiException {
    V1Pod current = api.readNamespacedPod(pod.getMetadata().getName(), pod.getMetadata().getNamespace()).execute();
    current.status(current.getStatus() == null ? new V1PodStatus().phase(phase) : current.getStatus().phase(phase));
    return api.replaceNamespacedPodStatus(pod.getMetadata().getName(), pod.getMetadata().getNamespace(), current)
        .execute();
  }

  /** Node status (allocatable) is dropped on create; it must be written through the status subresource. */
  public static V1Node createNode(CoreV1Api api, V1Node node) throws ApiException {
    V1NodeStatus status = node.getStatus();
    V1Node created = api.createNode(node).execute();
    if (status == null) {
      return created;
    }
    created.setStatus(status);
    return api.replaceNodeStatus(created.getMetadata().getName(), created).execute();
  }

  public static void deletePodNow(CoreV1Api api, String namespace, String name) throws ApiException {
    api.deleteNamespacedPod(name, namespace).gracePeriodSeconds(0).execute();
  }
}
