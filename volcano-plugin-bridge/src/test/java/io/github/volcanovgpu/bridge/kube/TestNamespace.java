package io.github.volcanovgpu.bridge.kube;

import java.util.Map;
import java.util.Objects;

/**
 * The namespace created for one test class, and the label that marks the cluster-scoped objects (nodes) the class
 * creates, so {@link KubeApiServerExtension} can delete them afterwards.
 */
public record TestNamespace(String name) {
  /** Label key on cluster-scoped test objects; the value is the namespace name. */
  public static final String OWNER_LABEL = "test.volcano-vgpu.io/namespace";

  public TestNamespace {
    Objects.requireNonNull(name, "name");
  }

  /** A node name unique to this test class. */
  public String nodeName(String suffix) {
    return name + "-" + suffix;
  }

  /** Labels to put on every node (or other cluster-scoped object) the test creates. */
  public Map<String, String> ownerLabels() {
    return Map.of(OWNER_LABEL, name);
  }
}
