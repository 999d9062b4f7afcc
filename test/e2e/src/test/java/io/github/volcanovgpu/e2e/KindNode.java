package io.github.volcanovgpu.e2e;

import io.github.volcanovgpu.plugin.DevicePlugin;
import io.github.volcanovgpu.plugin.device.DeviceBackend;

/** One Ascend or Vastai node of the suite: the real device plugin on a fake port, behind a test kubelet. */
record KindNode(String name, DeviceBackend backend, DevicePlugin plugin, E2eKubelet kubelet)
    implements AutoCloseable {
  @Override
  public void close() throws Exception {
    try {
      plugin.close();
      backend.close();
    } finally {
      kubelet.close();
    }
  }
}
