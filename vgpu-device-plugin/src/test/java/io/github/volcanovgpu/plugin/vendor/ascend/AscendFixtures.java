package io.github.volcanovgpu.plugin.vendor.ascend;

import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.plugin.allocate.PodSource;
import io.github.volcanovgpu.plugin.device.NodeContext;
import io.github.volcanovgpu.plugin.register.NodeConfig;
import io.github.volcanovgpu.plugin.vendor.HamiPods;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/** An Ascend node for tests: a fake machine, settings under a temp directory, the node's hami-core switch. */
final class AscendFixtures {
  static final String NODE = HamiPods.NODE;
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-04T10:00:00Z"), ZoneOffset.UTC);

  private AscendFixtures() {}

  /** Limiter under {@code hook}, registries under {@code hook/shared}, npu-smi as the one driver mount, no polling. */
  static AscendSettings settings(Path hook) {
    return new AscendSettings(hook, hook.resolve("shared"), List.of("/usr/local/bin/npu-smi"), Duration.ZERO);
  }

  /** The node config entry of {@link #NODE} with {@code "hami-vnpu-core": hamiCore} and extra keys. */
  static NodeConfig nodeConfig(boolean hamiCore, String extra) {
    return NodeConfig.parse("{\"nodeconfig\":[{\"name\":\"" + NODE + "\",\"hami-vnpu-core\":" + hamiCore
        + (extra.isEmpty() ? "" : "," + extra) + "}]}", "test config.json");
  }

  static NodeContext context(NodeConfig nodes, PodSource pods) {
    return new NodeContext(NODE, DeviceConfig.defaults(), nodes, Map.of(), pods, Runnable::run, CLOCK);
  }
}
