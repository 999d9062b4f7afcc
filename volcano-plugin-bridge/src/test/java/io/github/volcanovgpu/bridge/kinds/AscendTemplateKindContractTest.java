package io.github.volcanovgpu.bridge.kinds;

import static io.github.volcanovgpu.bridge.testing.TestPods.pod;

import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.testing.HamiNodes;
import java.util.Map;

/** Ascend 910B3 with template vNPUs: 10000 MiB rounds up to vir05_1c_16g, four per NPU. */
class AscendTemplateKindContractTest extends DeviceKindContract {
  @Override
  protected String kind() {
    return "Ascend910B3";
  }

  @Override
  protected NodeView node(String name) {
    return HamiNodes.ascend(name, "Ascend910B3").count(4).npus(2).build();
  }

  @Override
  protected PodView fittingPod(String name) {
    return pod(name).npu("Ascend910B3", 1, 10000, 0).build();
  }

  @Override
  protected int capacity() {
    return 8;
  }

  @Override
  protected PodView tooBigPod(String name) {
    return pod(name).npu("Ascend910B3", 2, 16384, 0).build(); // several NPUs take whole ones only
  }

  @Override
  protected NodeView malformedNode(String name) {
    return HamiNodes.ascend(name, "Ascend910B3").npus(1)
        .annotation("hami.io/node-register-Ascend910B3", "Ascend910B3,4,65536:").build();
  }

  @Override
  protected PodView invalidPod(String name) {
    return pod(name).limits(Map.of("huawei.com/Ascend910B3", "1", "huawei.com/Ascend910B3-memory", "16Q")).build();
  }
}
