package io.github.volcanovgpu.plugin.vendor.nvidia;

import io.github.volcanovgpu.contract.annotation.NodeRegistrationCodec;
import io.github.volcanovgpu.contract.device.RegisteredGpu;
import io.github.volcanovgpu.plugin.device.DeviceHealth;
import io.github.volcanovgpu.plugin.register.PluginSettings;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.PhysicalGpu;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Pure: discovered GPUs + health + settings in, the GPUs this node registers out — filtered devices dropped,
 * stable order by minor number, memory in {@code gpuMemoryFactor} units (not multiplied by memory scaling, as the
 * existing plugin and Volcano expect), health and mode included.
 */
public final class NodeInventory {
  private NodeInventory() {}

  /** The GPUs that are registered (and advertised to the kubelet), in minor-number order. */
  public static List<PhysicalGpu> selected(List<PhysicalGpu> discovered, PluginSettings settings) {
    List<PhysicalGpu> sorted = new ArrayList<>(discovered);
    sorted.sort(Comparator.comparingInt(PhysicalGpu::minorNumber));
    List<PhysicalGpu> out = new ArrayList<>();
    for (int i = 0; i < sorted.size(); i++) {
      PhysicalGpu g = sorted.get(i);
      if (!settings.filter().excludes(g.uuid(), i)) {
        out.add(g);
      }
    }
    return out;
  }

  public static List<RegisteredGpu> registration(List<PhysicalGpu> selected, Map<String, DeviceHealth> health,
      PluginSettings settings) {
    List<RegisteredGpu> out = new ArrayList<>(selected.size());
    for (PhysicalGpu g : selected) {
      boolean healthy = health.getOrDefault(g.uuid(), DeviceHealth.HEALTHY).isHealthy();
      out.add(new RegisteredGpu(g.uuid(), out.size(), settings.splitCount(),
          g.memoryMib() / settings.memoryFactor(), g.registeredType(), healthy, settings.mode()));
    }
    return out;
  }

  /** The {@code volcano.sh/node-vgpu-register} value. */
  public static String annotation(List<PhysicalGpu> selected, Map<String, DeviceHealth> health,
      PluginSettings settings) {
    return NodeRegistrationCodec.encode(registration(selected, health, settings));
  }
}
