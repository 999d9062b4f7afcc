package io.github.volcanovgpu.plugin.allocate;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the Allocate path needs to know of one pod, as read from the API server.
 *
 * @param uid {@code metadata.uid}
 * @param resourceVersion {@code metadata.resourceVersion}, the precondition of every patch
 * @param phase {@code status.phase}; empty when the server has not set it yet
 * @param nodeName {@code spec.nodeName}; empty when unbound
 * @param creationTimestamp {@code metadata.creationTimestamp} in epoch seconds, 0 when unknown
 * @param initContainers {@code spec.initContainers}, never given devices by Volcano
 * @param containers {@code spec.containers} in spec order
 */
public record PodSnapshot(
    String namespace,
    String name,
    String uid,
    String resourceVersion,
    String phase,
    String nodeName,
    long creationTimestamp,
    Map<String, String> annotations,
    List<Container> initContainers,
    List<Container> containers) {
  public static final String PENDING = "Pending";

  public PodSnapshot {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(uid, "uid");
    Objects.requireNonNull(resourceVersion, "resourceVersion");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(nodeName, "nodeName");
    annotations = Map.copyOf(annotations);
    initContainers = List.copyOf(initContainers);
    containers = List.copyOf(containers);
  }

  /** {@code namespace/name}, for messages. */
  public String key() {
    return namespace + "/" + name;
  }

  public String annotation(String key) {
    return annotations.getOrDefault(key, "");
  }

  /**
   * One container of the pod spec.
   *
   * @param limits {@code resources.limits}, quantities as plain decimal strings ({@code 3000}, not {@code 3k})
   * @param envNames names of the container's {@code env} entries
   */
  public record Container(String name, Map<String, String> limits, Set<String> envNames) {
    public Container {
      Objects.requireNonNull(name, "name");
      limits = Map.copyOf(limits);
      envNames = Set.copyOf(envNames);
    }

    /**
     * Whether the limit on {@code resource} is above 0; a quantity that is not a plain number counts as a request
     * ({@link KubePodSource} gives plain decimals).
     */
    public boolean hasPositiveLimit(String resource) {
      String quantity = limits.get(resource);
      if (quantity == null) {
        return false;
      }
      try {
        return new java.math.BigDecimal(quantity.trim()).signum() > 0;
      } catch (NumberFormatException e) {
        return true;
      }
    }
  }
}
