package io.github.volcanovgpu.bridge.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the scheduler needs of a pod, whichever way it arrived (Volcano's JSON, gRPC, the informer cache).
 *
 * @param uid pod UID (the identity used by the ledger)
 * @param nodeName {@code spec.nodeName}, empty when unbound
 * @param phase {@code status.phase}, empty when unknown
 * @param resourceVersion {@code metadata.resourceVersion}, empty when unknown
 */
public record PodView(
    String uid,
    String namespace,
    String name,
    Map<String, String> annotations,
    List<ContainerView> containers,
    List<ContainerView> initContainers,
    String nodeName,
    String phase,
    String resourceVersion) {
  public PodView {
    Objects.requireNonNull(uid, "uid");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(resourceVersion, "resourceVersion");
    annotations = Map.copyOf(annotations);
    containers = List.copyOf(containers);
    initContainers = List.copyOf(initContainers);
  }

  /** {@code namespace/name}, for messages. */
  public String key() {
    return namespace + "/" + name;
  }

  /** True for pods that no longer hold devices (Succeeded or Failed). */
  public boolean isTerminated() {
    return phase.equals("Succeeded") || phase.equals("Failed");
  }

  public PodView withAnnotations(Map<String, String> newAnnotations) {
    return new PodView(uid, namespace, name, newAnnotations, containers, initContainers, nodeName, phase,
        resourceVersion);
  }

  /** This pod with other regular containers and no init containers (one init container's demand is read so). */
  public PodView withContainers(List<ContainerView> newContainers) {
    return new PodView(uid, namespace, name, annotations, newContainers, List.of(), nodeName, phase,
        resourceVersion);
  }

  public PodView withNodeName(String newNodeName) {
    return new PodView(uid, namespace, name, annotations, containers, initContainers, newNodeName, phase,
        resourceVersion);
  }
}
