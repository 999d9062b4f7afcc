package io.github.volcanovgpu.plugin.allocate;

import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds pods annotated as the scheduler annotates them. */
final class TestPods {
  static final String NODE = "gpu-node-1";

  private String namespace = "ns";
  private final String name;
  private String uid;
  private String phase = PodSnapshot.PENDING;
  private String nodeName = NODE;
  private final Map<String, String> annotations = new HashMap<>();
  private final List<PodSnapshot.Container> init = new ArrayList<>();
  private final List<PodSnapshot.Container> containers = new ArrayList<>();

  private TestPods(String name) {
    this.name = name;
    this.uid = "uid-" + name;
    annotations.put(VgpuAnnotations.VGPU_NODE, NODE);
    annotations.put(VgpuAnnotations.BIND_PHASE, VgpuAnnotations.BIND_PHASE_ALLOCATING);
    annotations.put(VgpuAnnotations.VGPU_TIME, "1000");
  }

  /** A Pending pod bound to {@link #NODE}, assigned {@code devices}, vgpu-time 1000. */
  static TestPods pod(String name, String devices) {
    TestPods p = new TestPods(name);
    p.annotations.put(VgpuAnnotations.DEVICES_TO_ALLOCATE, devices);
    p.annotations.put(VgpuAnnotations.VGPU_IDS_NEW, devices);
    return p;
  }

  static PodSnapshot.Container gpu(String name, int count) {
    return new PodSnapshot.Container(name, Map.of("volcano.sh/vgpu-number", Integer.toString(count)), Set.of());
  }

  static PodSnapshot.Container plain(String name) {
    return new PodSnapshot.Container(name, Map.of("cpu", "1"), Set.of());
  }

  TestPods container(PodSnapshot.Container c) {
    containers.add(c);
    return this;
  }

  TestPods init(PodSnapshot.Container c) {
    init.add(c);
    return this;
  }

  TestPods phase(String value) {
    phase = value;
    return this;
  }

  TestPods nodeName(String value) {
    nodeName = value;
    return this;
  }

  TestPods annotation(String key, String value) {
    annotations.put(key, value);
    return this;
  }

  TestPods withoutAnnotation(String key) {
    annotations.remove(key);
    return this;
  }

  PodSnapshot build() {
    return new PodSnapshot(namespace, name, uid, "1", phase, nodeName, 0, annotations, init, containers);
  }
}
