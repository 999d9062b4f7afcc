package io.github.volcanovgpu.plugin.monitor;

import java.util.List;
import java.util.Objects;

/**
 * One container as the kubelet's pod-resources API lists it, with the device IDs it holds (all resources).
 */
public record PodContainer(String namespace, String pod, String container, List<String> deviceIds) {
  public PodContainer {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(pod, "pod");
    Objects.requireNonNull(container, "container");
    deviceIds = List.copyOf(deviceIds);
  }

  public String podKey() {
    return namespace + "/" + pod;
  }
}
