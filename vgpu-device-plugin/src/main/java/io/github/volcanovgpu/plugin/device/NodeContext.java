package io.github.volcanovgpu.plugin.device;

import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.plugin.allocate.PodSource;
import io.github.volcanovgpu.plugin.register.NodeConfig;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * What the device plugin core gives a {@link DeviceBackend} when it starts serving.
 *
 * @param nodeName this node ({@code NODE_NAME})
 * @param deviceConfig {@code device-config.yaml} of the device ConfigMap (every kind's block)
 * @param nodeConfig {@code config.json} of the node ConfigMap (per-node overrides)
 * @param environment the process environment (health-check switches ...)
 * @param pods the pods the Allocate handlers resolve and patch (the API server, or a fake)
 * @param lockRelease the single background executor that releases node locks off the Allocate reply
 */
public record NodeContext(String nodeName, DeviceConfig deviceConfig, NodeConfig nodeConfig,
    Map<String, String> environment, PodSource pods, Executor lockRelease, Clock clock) {
  public NodeContext {
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(deviceConfig, "deviceConfig");
    Objects.requireNonNull(nodeConfig, "nodeConfig");
    environment = Map.copyOf(environment);
    Objects.requireNonNull(pods, "pods");
    Objects.requireNonNull(lockRelease, "lockRelease");
    Objects.requireNonNull(clock, "clock");
  }
}
