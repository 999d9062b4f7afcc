package io.github.volcanovgpu.plugin.vendor.ascend;

import io.github.volcanovgpu.contract.annotation.AscendAnnotations;
import io.github.volcanovgpu.contract.annotation.HamiAnnotations;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfoCodec;
import io.github.volcanovgpu.contract.config.VnpuChipConfig;
import io.github.volcanovgpu.contract.config.VnpusConfig;
import io.github.volcanovgpu.plugin.allocate.LeftoverCollector;
import io.github.volcanovgpu.plugin.allocate.PodAllocationHandler;
import io.github.volcanovgpu.plugin.device.DeviceBackend;
import io.github.volcanovgpu.plugin.device.DeviceHealth;
import io.github.volcanovgpu.plugin.device.HealthMonitor;
import io.github.volcanovgpu.plugin.device.NodeContext;
import io.github.volcanovgpu.plugin.device.NodeRegistration;
import io.github.volcanovgpu.plugin.device.NodeServing;
import io.github.volcanovgpu.plugin.device.PhysicalDevice;
import io.github.volcanovgpu.plugin.device.PluginResource;
import io.github.volcanovgpu.plugin.device.PollingHealthMonitor;
import io.github.volcanovgpu.plugin.kubelet.DeviceIds;
import io.github.volcanovgpu.plugin.register.NodeConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ascend NPUs as a device kind, as HAMi's ascend-device-plugin serves them: each chip of {@code vnpus.configs} whose
 * {@code chipName} DCMI reports on this node becomes one kubelet resource {@code huawei.com/<CommonWord>} (socket
 * {@code ascend-<CommonWord>.sock}, IDs {@code <npu>-<i>} per share; on a node with one chip the same IDs also as
 * the HAMi release notes' alias {@code hami.io/vnpu-core}, socket {@code ascend-vnpu-core.sock}), one registration
 * {@code hami.io/node-register-<CommonWord>} with its handshake {@code hami.io/node-handshake-<CommonWord>}, and one
 * Allocate ({@link AscendAllocation}); the node's hami-core switch is published as {@code hami-vnpu-core}. The memory
 * and core resources are scheduler-only (the kubelet does not count them). Health is DCMI's, polled.
 */
public final class AscendBackend implements DeviceBackend {
  private static final Logger LOG = LoggerFactory.getLogger(AscendBackend.class);
  private static final Duration LEFTOVER_GRACE = Duration.ofMinutes(2);
  /** DCMI and HAMi spell some chips two ways: the same chip either way. */
  private static final List<Set<String>> CHIP_ALIASES = List.of(Set.of("910C", "Ascend910"), Set.of("310P", "310P3"));

  private final AscendDcmiPort port;
  private final AscendSettings settings;
  private final PollingHealthMonitor health;

  public AscendBackend(AscendDcmiPort port, AscendSettings settings, Clock clock) {
    this.port = Objects.requireNonNull(port, "port");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.health = new PollingHealthMonitor("dcmi-health", this::probe, settings.healthInterval(), clock);
  }

  @Override
  public String kind() {
    return "ascend";
  }

  @Override
  public List<Npu> discover() {
    return port.npus();
  }

  @Override
  public HealthMonitor health() {
    return health;
  }

  /** The DCMI health poller (tests poll it directly). */
  public PollingHealthMonitor healthPoller() {
    return health;
  }

  /** Each NPU's fault ({@code DCMI health 2 (major alarm)}), empty when healthy. */
  private Map<String, Optional<String>> probe() {
    Map<String, Optional<String>> out = new LinkedHashMap<>();
    for (Npu npu : port.npus()) {
      int word = port.health(npu);
      out.put(npu.uuid(), word == AscendDcmiPort.HEALTHY ? Optional.empty()
          : Optional.of(AscendDcmiPort.describe(word)));
    }
    return out;
  }

  @Override
  public NodeServing serve(NodeContext node) {
    List<AscendChip> chips = chips(node, port.npus());
    List<PluginResource> resources = new ArrayList<>();
    List<PhysicalDevice> devices = new ArrayList<>();
    boolean alias = chips.size() == 1;
    if (chips.size() > 1) {
      LOG.info("node {} has {} Ascend chips: {} (the release notes' alias) is not served, pods name the chip",
          node.nodeName(), chips.size(), AscendAnnotations.ALIAS_COUNT);
    }
    for (AscendChip chip : chips) {
      PodAllocationHandler handler = new PodAllocationHandler(new AscendAllocation(chip, settings, alias),
          node.nodeName(), node.pods(), node.lockRelease());
      String resource = chip.config().resourceName();
      var ids = DeviceIds.count(chip.npus(), chip.sharesPerNpu());
      resources.add(new PluginResource(resource, ids, handler, PluginResource.Grouping.ONE_PER_CARD,
          PluginResource.socketName("ascend", resource)));
      if (alias) {
        resources.add(new PluginResource(AscendAnnotations.ALIAS_COUNT, ids, handler,
            PluginResource.Grouping.ONE_PER_CARD, PluginResource.socketName("ascend", AscendAnnotations.ALIAS_COUNT)));
      }
      devices.addAll(chip.npus());
      LOG.info("node {}: {} x {} ({}, {} shares per NPU) as {}", node.nodeName(), chip.npus().size(),
          chip.commonWord(), chip.hamiCore() ? "hami-core" : "template vNPUs", chip.sharesPerNpu(), resource);
    }
    if (chips.isEmpty()) {
      return NodeServing.nothing();
    }
    return new NodeServing(devices, devices, resources, Optional.of(new Registration(chips)),
        List.of(new LeftoverCollector(settings.containersDir(), null, node.clock(), LEFTOVER_GRACE),
            new LeftoverCollector(settings.limitsDir(), null, node.clock(), LEFTOVER_GRACE)),
        List.of());
  }

  /** The configured chips found among {@code npus}, each with its NPUs in DCMI's order; unconfigured NPUs are named. */
  static List<AscendChip> chips(NodeContext node, List<Npu> npus) {
    VnpusConfig vnpus = node.deviceConfig().vnpus();
    Optional<NodeConfig.Entry> entry = node.nodeConfig().forNode(node.nodeName());
    boolean hamiCore = entry.map(NodeConfig.Entry::hamiVnpuCore).filter(Objects::nonNull).orElse(vnpus.hamiVnpuCore());
    int split = entry.map(NodeConfig.Entry::vnpuDeviceSplitCount).filter(n -> n > 0)
        .orElse(vnpus.vnpuDeviceSplitCount());
    Map<VnpuChipConfig, List<Npu>> byChip = new LinkedHashMap<>();
    List<String> unconfigured = new ArrayList<>();
    for (Npu npu : npus) {
      Optional<VnpuChipConfig> chip = vnpus.configs().stream().filter(c -> sameChip(c.chipName(), npu.chipName()))
          .findFirst();
      if (chip.isPresent()) {
        byChip.computeIfAbsent(chip.get(), c -> new ArrayList<>()).add(npu);
      } else {
        unconfigured.add(npu.uuid() + " (" + npu.chipName() + ")");
      }
    }
    if (!unconfigured.isEmpty()) {
      LOG.warn("NPUs whose chip is not in vnpus.configs are not served: {} (configured chipNames: {})", unconfigured,
          vnpus.configs().stream().map(VnpuChipConfig::chipName).toList());
    }
    List<AscendChip> out = new ArrayList<>();
    byChip.forEach((config, list) -> out.add(new AscendChip(config, list, hamiCore,
        AscendChip.shares(config, hamiCore, split))));
    return out;
  }

  private static boolean sameChip(String configured, String reported) {
    return configured.equals(reported)
        || CHIP_ALIASES.stream().anyMatch(a -> a.contains(configured) && a.contains(reported));
  }

  /**
   * Per chip {@code hami.io/node-register-<CommonWord>} (HAMi's JSON) and, with every publish, the handshake
   * {@code hami.io/node-handshake-<CommonWord>}; {@code hami-vnpu-core} says whether the node runs hami-core.
   */
  private record Registration(List<AscendChip> chips) implements NodeRegistration {
    @Override
    public Map<String, String> annotations(Map<String, DeviceHealth> health) {
      Map<String, String> out = new LinkedHashMap<>();
      for (AscendChip chip : chips) {
        out.put(HamiAnnotations.nodeRegister(chip.commonWord()), HamiDeviceInfoCodec.encode(chip.registration(health)));
      }
      out.put(AscendAnnotations.NODE_HAMI_CORE, Boolean.toString(chips.get(0).hamiCore()));
      return out;
    }

    @Override
    public Map<String, String> heartbeat(Instant now) {
      Map<String, String> out = new LinkedHashMap<>();
      for (AscendChip chip : chips) {
        out.put(HamiAnnotations.nodeHandshake(chip.commonWord()), HamiAnnotations.reported(now));
      }
      return out;
    }
  }

  @Override
  public void close() {
    health.close();
    port.close();
  }
}
