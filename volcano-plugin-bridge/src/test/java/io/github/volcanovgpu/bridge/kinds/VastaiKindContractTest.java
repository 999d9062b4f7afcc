package io.github.volcanovgpu.bridge.kinds;

import static io.github.volcanovgpu.bridge.testing.TestPods.pod;

import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.testing.HamiNodes;
import java.util.Map;

/** Vastai die mode: two cards of four dies. */
class VastaiKindContractTest extends DeviceKindContract {
  @Override
  protected String kind() {
    return "Vastai";
  }

  @Override
  protected NodeView node(String name) {
    return HamiNodes.vastai(name).dies(2, 4).build();
  }

  @Override
  protected PodView fittingPod(String name) {
    return pod(name).va(2).build();
  }

  @Override
  protected int capacity() {
    return 4;
  }

  @Override
  protected PodView tooBigPod(String name) {
    return pod(name).va(9).build();
  }

  @Override
  protected NodeView malformedNode(String name) {
    return HamiNodes.vastai(name).dies(1, 2).annotation("hami.io/node-va-register", "{broken").build();
  }

  @Override
  protected PodView invalidPod(String name) {
    return pod(name).limits(Map.of("vastaitech.com/va", "1.5")).build();
  }
}
