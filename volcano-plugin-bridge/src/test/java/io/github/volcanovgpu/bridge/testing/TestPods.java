package io.github.volcanovgpu.bridge.testing;

import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.PodView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test-data builder for pods: {@code pod("p1").gpu(1, 3000, 30).build()}. */
public final class TestPods {
  private final String name;
  private String uid;
  private String namespace = "default";
  private String nodeName = "";
  private String phase = "Pending";
  private final Map<String, String> annotations = new LinkedHashMap<>();
  private final List<ContainerView> containers = new ArrayList<>();
  private final List<ContainerView> initContainers = new ArrayList<>();

  private TestPods(String name) {
    this.name = name;
    this.uid = "uid-" + name;
  }

  public static TestPods pod(String name) {
    return new TestPods(name);
  }

  public TestPods uid(String value) {
    uid = value;
    return this;
  }

  public TestPods namespace(String value) {
    namespace = value;
    return this;
  }

  public TestPods onNode(String value) {
    nodeName = value;
    return this;
  }

  public TestPods phase(String value) {
    phase = value;
    return this;
  }

  public TestPods annotation(String key, String value) {
    annotations.put(key, value);
    return this;
  }

  /** A container with limits volcano.sh/vgpu-number, -memory (MiB, 0 = omitted), -cores (0 = omitted). */
  public TestPods gpu(int count, long memoryMib, int cores) {
    Map<String, String> limits = new HashMap<>();
    limits.put("volcano.sh/vgpu-number", Integer.toString(count));
    if (memoryMib > 0) {
      limits.put("volcano.sh/vgpu-memory", Long.toString(memoryMib));
    }
    if (cores > 0) {
      limits.put("volcano.sh/vgpu-cores", Integer.toString(cores));
    }
    return container("c" + containers.size(), limits, Map.of());
  }

  /** A container with the given limits only, named {@code c<i>}. */
  public TestPods limits(Map<String, String> limits) {
    return container("c" + containers.size(), limits, Map.of());
  }

  /** A container asking {@code count} NPUs of an Ascend chip (e.g. {@code Ascend910C}), memory MiB and core %. */
  public TestPods npu(String commonWord, int count, long memoryMib, int cores) {
    Map<String, String> limits = new HashMap<>();
    limits.put("huawei.com/" + commonWord, Integer.toString(count));
    if (memoryMib > 0) {
      limits.put("huawei.com/" + commonWord + "-memory", Long.toString(memoryMib));
    }
    if (cores > 0) {
      limits.put("huawei.com/" + commonWord + "-core", Integer.toString(cores));
    }
    return limits(limits);
  }

  /** A container asking {@code count} Vastai devices. */
  public TestPods va(int count) {
    return limits(Map.of("vastaitech.com/va", Integer.toString(count)));
  }

  /** A container asking for nothing GPU-related. */
  public TestPods plainContainer() {
    return container("c" + containers.size(), Map.of("cpu", "1"), Map.of());
  }

  public TestPods container(String cname, Map<String, String> limits, Map<String, String> requests) {
    containers.add(new ContainerView(cname, limits, requests));
    return this;
  }

  public TestPods initContainer(String cname, Map<String, String> limits) {
    initContainers.add(new ContainerView(cname, limits, Map.of()));
    return this;
  }

  public PodView build() {
    return new PodView(uid, namespace, name, annotations, containers, initContainers, nodeName, phase, "1");
  }
}
