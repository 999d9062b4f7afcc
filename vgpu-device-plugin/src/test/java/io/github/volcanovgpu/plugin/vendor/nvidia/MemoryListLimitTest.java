package io.github.volcanovgpu.plugin.vendor.nvidia;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.plugin.allocate.FakePodSource;
import io.github.volcanovgpu.plugin.device.NodeContext;
import io.github.volcanovgpu.plugin.device.NodeNotice;
import io.github.volcanovgpu.plugin.device.NodeServing;
import io.github.volcanovgpu.plugin.device.PluginResource;
import io.github.volcanovgpu.plugin.register.NodeConfig;
import io.github.volcanovgpu.plugin.register.PluginSettings;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.FakeGpuBackend;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose vgpu-memory list would not fit the kubelet's 4 MiB ListAndWatch limit at its gpuMemoryFactor: the
 * list is not served (the kubelet would drop it anyway) and the node is told, naming the factor that fits; the count
 * and cores resources and the node registration stay. Pods keep asking memory in the cluster's one unit.
 */
class MemoryListLimitTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-04T10:00:00Z"), ZoneOffset.UTC);

  @TempDir
  Path hook;

  /** 8 x H200, 143771 MiB each as NVML reports them, four per socket. */
  private static FakeGpuBackend h200x8() {
    StringBuilder yaml = new StringBuilder("gpus:\n");
    for (int i = 0; i < 8; i++) {
      yaml.append("- {uuid: GPU-").append(i).append("0000000-1111-2222-3333-444444444444, model: NVIDIA H200, ")
          .append("memoryMib: 143771, minor: ").append(i).append(", numa: ").append(i / 4).append("}\n");
    }
    return FakeGpuBackend.fromYaml(yaml.toString(), "h200x8");
  }

  private NodeServing serve(Optional<Integer> memoryFactor) {
    NvidiaBackend backend = new NvidiaBackend(h200x8(), null, NvidiaBackend.Settings.defaults(hook)
        .withOverrides(new PluginSettings.Overrides(Optional.empty(), memoryFactor, Optional.empty())));
    return backend.serve(new NodeContext("h200-node", DeviceConfig.defaults(), NodeConfig.empty(), Map.of(),
        new FakePodSource(), Runnable::run, CLOCK));
  }

  private static Map<String, Integer> sizes(NodeServing s) {
    return s.resources().stream().collect(Collectors.toMap(PluginResource::resourceName, r -> r.devices().size()));
  }

  @Test
  void eightH200sAtFactorOneServeNoMemoryIdsAndTellTheNodeTheFactorThatFits() {
    NodeServing s = serve(Optional.empty());

    assertThat(sizes(s)).containsExactlyInAnyOrderEntriesOf(Map.of("volcano.sh/vgpu-number", 80,
        "volcano.sh/vgpu-memory", 0, "volcano.sh/vgpu-cores", 800));
    assertThat(s.registration().orElseThrow().annotations(Map.of())).containsKey(VgpuAnnotations.NODE_REGISTER);
    assertThat(s.notices()).singleElement().satisfies(n -> {
      assertThat(n.reason()).isEqualTo(NodeNotice.TOO_MANY_DEVICE_IDS);
      assertThat(n.message())
          .startsWith("volcano.sh/vgpu-memory is not served: gpuMemoryFactor 1 makes 1150168 device IDs, a "
              + "ListAndWatch message of up to ")
          .contains("over the kubelet's 4 MiB limit")
          .contains("gpuMemoryFactor 6 fits");
    });
  }

  @Test
  void atTheFactorThatFitsTheWholeMemoryListIsServedWithoutANotice() {
    NodeServing s = serve(Optional.of(6));

    assertThat(sizes(s)).containsEntry("volcano.sh/vgpu-memory", 8 * (143771 / 6));
    assertThat(s.notices()).isEmpty();
  }
}
