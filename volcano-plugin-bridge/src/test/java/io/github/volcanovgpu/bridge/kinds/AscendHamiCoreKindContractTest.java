package io.github.volcanovgpu.bridge.kinds;

import static io.github.volcanovgpu.bridge.testing.TestPods.pod;

import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.testing.HamiNodes;
import java.util.Map;

/** Ascend 910C in hami-core soft sharing: module pairs of 30% and 16 GiB, 3 per pair of 100% NPUs. */
class AscendHamiCoreKindContractTest extends DeviceKindContract {
  @Override
  protected String kind() {
    return "Ascend910C";
  }

  @Override
  protected NodeView node(String name) {
    return HamiNodes.ascend(name, "Ascend910C").npus(4).hamiCore(true).build();
  }

  @Override
  protected PodView fittingPod(String name) {
    return pod(name).npu("Ascend910C", 1, 16384, 30).build();
  }

  @Override
  protected int capacity() {
    return 6; // two modules, 3 x 30% each
  }

  @Override
  protected PodView tooBigPod(String name) {
    return pod(name).npu("Ascend910C", 6, 1000, 0).build();
  }

  @Override
  protected NodeView malformedNode(String name) {
    return HamiNodes.ascend(name, "Ascend910C").npus(2).hamiCore(true)
        .annotation("hami.io/node-register-Ascend910C", "[{\"id\":\"x\",\"count\":\"many\"}]").build();
  }

  @Override
  protected PodView invalidPod(String name) {
    return pod(name).limits(Map.of("huawei.com/Ascend910C", "3")).build();
  }
}
