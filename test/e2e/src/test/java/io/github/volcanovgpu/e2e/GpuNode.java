package io.github.volcanovgpu.e2e;

import io.github.volcanovgpu.plugin.DevicePlugin;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.FakeGpuBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.GpuBackend;
import java.util.List;

/** One GPU node of the suite: the real device plugin on fake cards, behind a test kubelet. */
record GpuNode(String name, GpuBackend backend, DevicePlugin plugin, E2eKubelet kubelet, List<Card> cards)
    implements AutoCloseable {
  /** A fake card as the YAML describes it. */
  record Card(String uuid, String model, long memoryMib) {}

  GpuNode {
    cards = List.copyOf(cards);
  }

  /** The fake cards of a classic node (XIDs can be injected). */
  FakeGpuBackend gpus() {
    if (backend instanceof FakeGpuBackend fake) {
      return fake;
    }
    throw new AssertionError("node " + name + " is not served by FakeGpuBackend");
  }

  Card card(String uuid) {
    return cards.stream().filter(c -> c.uuid().equals(uuid)).findFirst()
        .orElseThrow(() -> new AssertionError("no card " + uuid + " on " + name));
  }

  Card card(int index) {
    return cards.get(index);
  }

  @Override
  public void close() throws Exception {
    try {
      plugin.close();
    } finally {
      kubelet.close();
    }
  }
}
