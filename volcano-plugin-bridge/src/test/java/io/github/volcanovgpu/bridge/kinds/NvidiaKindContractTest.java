package io.github.volcanovgpu.bridge.kinds;

import static io.github.volcanovgpu.bridge.testing.TestPods.pod;

import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.testing.TestNodes;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import java.util.Map;

class NvidiaKindContractTest extends DeviceKindContract {
  @Override
  protected String kind() {
    return VgpuAnnotations.DEVICE_NAME;
  }

  @Override
  protected NodeView node(String name) {
    return TestNodes.node(name).split(4).gpus(2, 16384).build();
  }

  @Override
  protected PodView fittingPod(String name) {
    return pod(name).gpu(1, 4096, 25).build();
  }

  @Override
  protected int capacity() {
    return 8;
  }

  @Override
  protected PodView tooBigPod(String name) {
    return pod(name).gpu(3, 1000, 0).build();
  }

  @Override
  protected NodeView malformedNode(String name) {
    return TestNodes.node(name).gpus(1, 16384).annotation(VgpuAnnotations.NODE_REGISTER, "GPU-1,ten,16384:").build();
  }

  @Override
  protected PodView invalidPod(String name) {
    return pod(name).limits(Map.of("volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-memory", "-5")).build();
  }
}
