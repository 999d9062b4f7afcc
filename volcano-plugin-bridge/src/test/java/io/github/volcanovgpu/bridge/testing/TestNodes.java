package io.github.volcanovgpu.bridge.testing;

import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.contract.annotation.NodeRegistrationCodec;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.device.GpuMode;
import io.github.volcanovgpu.contract.device.RegisteredGpu;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test-data builder for GPU nodes: {@code node("n1").gpus(2, 16384).build()}. */
public final class TestNodes {
  private final String name;
  private final List<RegisteredGpu> gpus = new ArrayList<>();
  private final List<PodView> pods = new ArrayList<>();
  private final Map<String, String> annotations = new LinkedHashMap<>();
  private int split = 10;
  private String type = "NVIDIA-NVIDIA A100-PCIE-40GB";
  private boolean register = true;

  private TestNodes(String name) {
    this.name = name;
  }

  public static TestNodes node(String name) {
    return new TestNodes(name);
  }

  public TestNodes split(int value) {
    split = value;
    return this;
  }

  public TestNodes type(String value) {
    type = value;
    return this;
  }

  /** Adds {@code n} healthy GPUs of {@code memoryMib} with UUIDs {@code GPU-<node>-<i>}. */
  public TestNodes gpus(int n, long memoryMib) {
    for (int i = 0; i < n; i++) {
      gpu("GPU-" + name + "-" + gpus.size(), memoryMib);
    }
    return this;
  }

  public TestNodes gpu(String uuid, long memoryMib) {
    gpus.add(new RegisteredGpu(uuid, gpus.size(), split, memoryMib, type, true, GpuMode.HAMI_CORE));
    return this;
  }

  public TestNodes gpu(RegisteredGpu gpu) {
    gpus.add(gpu.withIndex(gpus.size()));
    return this;
  }

  public TestNodes pod(PodView pod) {
    pods.add(pod.withNodeName(name));
    return this;
  }

  public TestNodes annotation(String key, String value) {
    annotations.put(key, value);
    return this;
  }

  public TestNodes withoutRegistration() {
    register = false;
    return this;
  }

  public List<RegisteredGpu> registered() {
    return List.copyOf(gpus);
  }

  public NodeView build() {
    Map<String, String> a = new LinkedHashMap<>(annotations);
    if (register && !gpus.isEmpty()) {
      a.putIfAbsent(VgpuAnnotations.NODE_REGISTER, NodeRegistrationCodec.encode(gpus));
    }
    long memory = gpus.stream().mapToLong(RegisteredGpu::memoryUnits).sum();
    Map<String, String> allocatable = new LinkedHashMap<>();
    allocatable.put("cpu", "64");
    if (!gpus.isEmpty()) {
      allocatable.put("volcano.sh/vgpu-number", Integer.toString(gpus.size() * split));
      allocatable.put("volcano.sh/vgpu-memory", Long.toString(memory));
      allocatable.put("volcano.sh/vgpu-cores", Integer.toString(gpus.size() * 100));
    }
    return NodeView.of(name, a, allocatable, pods);
  }
}
