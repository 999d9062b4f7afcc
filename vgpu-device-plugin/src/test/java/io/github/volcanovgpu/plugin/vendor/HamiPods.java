package io.github.volcanovgpu.plugin.vendor;

import io.github.volcanovgpu.contract.annotation.HamiAnnotations;
import io.github.volcanovgpu.plugin.allocate.PodSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds pods as the scheduler sidecar annotates them for a HAMi kind (Ascend chips, Vastai): the common keys
 * {@code hami.io/vgpu-node}, {@code hami.io/vgpu-time}, {@code hami.io/bind-phase=allocating},
 * {@code hami.io/bind-time}, {@code predicate-time}, and the kind's {@code -devices-to-allocate} /
 * {@code -devices-allocated}.
 */
public final class HamiPods {
  public static final String NODE = "npu-node-1";

  private final String name;
  private String phase = PodSnapshot.PENDING;
  private String nodeName = NODE;
  private final Map<String, String> annotations = new HashMap<>();
  private final List<PodSnapshot.Container> init = new ArrayList<>();
  private final List<PodSnapshot.Container> containers = new ArrayList<>();

  private HamiPods(String name) {
    this.name = name;
    annotations.put(HamiAnnotations.ASSIGNED_NODE, NODE);
    annotations.put(HamiAnnotations.ASSIGNED_TIME, "1000");
    annotations.put(HamiAnnotations.BIND_PHASE, HamiAnnotations.BIND_PHASE_ALLOCATING);
    annotations.put(HamiAnnotations.BIND_TIME, "1001");
    annotations.put(HamiAnnotations.PREDICATE_TIME, "1000");
  }

  /** A Pending pod bound to {@link #NODE}, {@code commonWord}'s devices assigned ({@code entries}, HAMi framing). */
  public static HamiPods pod(String name, String commonWord, String entries) {
    HamiPods p = new HamiPods(name);
    p.annotations.put(HamiAnnotations.devicesToAllocate(commonWord), entries);
    p.annotations.put(HamiAnnotations.devicesAllocated(commonWord), entries);
    return p;
  }

  /** A container with limits, e.g. {@code container("main", "huawei.com/Ascend910C", "1")}. */
  public static PodSnapshot.Container container(String name, String... limits) {
    Map<String, String> l = new HashMap<>();
    for (int i = 0; i + 1 < limits.length; i += 2) {
      l.put(limits[i], limits[i + 1]);
    }
    return new PodSnapshot.Container(name, l, Set.of());
  }

  public HamiPods container(PodSnapshot.Container c) {
    containers.add(c);
    return this;
  }

  public HamiPods init(PodSnapshot.Container c) {
    init.add(c);
    return this;
  }

  public HamiPods annotation(String key, String value) {
    annotations.put(key, value);
    return this;
  }

  public HamiPods without(String key) {
    annotations.remove(key);
    return this;
  }

  public HamiPods phase(String value) {
    phase = value;
    return this;
  }

  public HamiPods nodeName(String value) {
    nodeName = value;
    return this;
  }

  /**
   * Annotates a pod for the API server as the sidecar does for {@code commonWord} on {@code node} ({@code extra}:
   * e.g. the Ascend runtime info), assigned at unix second {@code time}.
   */
  public static io.kubernetes.client.openapi.models.V1Pod assigned(io.kubernetes.client.openapi.models.V1Pod pod,
      String node, String commonWord, String entries, String time, Map<String, String> extra) {
    Map<String, String> a = new java.util.LinkedHashMap<>();
    a.put(HamiAnnotations.ASSIGNED_NODE, node);
    a.put(HamiAnnotations.ASSIGNED_TIME, time);
    a.put(HamiAnnotations.BIND_PHASE, HamiAnnotations.BIND_PHASE_ALLOCATING);
    a.put(HamiAnnotations.BIND_TIME, time);
    a.put(HamiAnnotations.PREDICATE_TIME, time);
    a.put(HamiAnnotations.devicesToAllocate(commonWord), entries);
    a.put(HamiAnnotations.devicesAllocated(commonWord), entries);
    a.putAll(extra);
    pod.getMetadata().annotations(a);
    return pod;
  }

  public PodSnapshot build() {
    return new PodSnapshot("ns", name, "uid-" + name, "1", phase, nodeName, 0, annotations, init, containers);
  }
}
