package io.github.volcanovgpu.bridge.model;

import java.util.Map;
import java.util.Objects;

/**
 * What the scheduler needs of one container: its name and its resource limits and requests, as Kubernetes
 * quantity strings (e.g. {@code "3000"}, {@code "2"}, {@code "1Gi"}).
 */
public record ContainerView(String name, Map<String, String> limits, Map<String, String> requests) {
  public ContainerView {
    Objects.requireNonNull(name, "name");
    limits = Map.copyOf(limits);
    requests = Map.copyOf(requests);
  }
}
