package io.github.volcanovgpu.plugin.vendor.vastai;

import io.github.volcanovgpu.contract.annotation.HamiAnnotations;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfo;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfoCodec;
import io.github.volcanovgpu.contract.annotation.VastaiAnnotations;
import io.github.volcanovgpu.contract.config.VastaiDeviceConfig;
import io.github.volcanovgpu.plugin.allocate.AllocationKind;
import io.github.volcanovgpu.plugin.allocate.AssignmentAnnotations;
import io.github.volcanovgpu.plugin.allocate.AssignmentMismatch;
import io.github.volcanovgpu.plugin.allocate.ContainerAssignment;
import io.github.volcanovgpu.plugin.allocate.PodAllocationHandler;
import io.github.volcanovgpu.plugin.allocate.PodSnapshot;
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
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vastai as a device kind, as HAMi's Vastai support expects it: every card (or, with {@link DeviceStrategy#DIE},
 * every die) is one exclusive device of the count resource ({@code vastaitech.com/va} by default; socket
 * {@code vastai-va.sock}, one ID {@code <device>-0} each), registered in {@code hami.io/node-va-register} with
 * custom info {@code DeviceStrategy} and {@code AIC} (the card) and the handshake {@code hami.io/node-handshake-va};
 * Allocate hands a container the devices of its {@code hami.io/Vastai-devices-to-allocate} entry as
 * {@value #VISIBLE_DEVICES}. Health is the port's, polled.
 */
public final class VastaiBackend implements DeviceBackend {
  private static final Logger LOG = LoggerFactory.getLogger(VastaiBackend.class);
  /**
   * The device list the Vastai container runtime reads: comma list of device indexes. Unverified: HAMi's Vastai
   * plugin source is not public; Vastai's own scripts run containers with {@code --runtime=vastai -e
   * VASTAI_VISIBLE_DEVICES=<index>}.
   */
  public static final String VISIBLE_DEVICES = "VASTAI_VISIBLE_DEVICES";
  /** Every Vastai device is exclusive: one container at a time. */
  static final int SHARES = 1;
  static final int DEVCORE = 100;

  private final VastaiPort port;
  private final DeviceStrategy strategy;
  private final PollingHealthMonitor health;

  public VastaiBackend(VastaiPort port, DeviceStrategy strategy, Duration healthInterval, Clock clock) {
    this.port = Objects.requireNonNull(port, "port");
    this.strategy = Objects.requireNonNull(strategy, "strategy");
    this.health = new PollingHealthMonitor("vastai-health", this::probe, healthInterval, clock);
  }

  @Override
  public String kind() {
    return "vastai";
  }

  /** The cards, or their dies, as devices numbered in driver order. */
  @Override
  public List<VastaiDevice> discover() {
    List<VastaiDevice> out = new ArrayList<>();
    List<VastaiPort.Card> cards = port.cards();
    for (int c = 0; c < cards.size(); c++) {
      VastaiPort.Card card = cards.get(c);
      if (strategy == DeviceStrategy.CARD) {
        out.add(new VastaiDevice(card.id(), out.size(), c, -1, card.memoryMibPerDie() * card.dies().size(),
            card.numaNode()));
      } else {
        for (int d = 0; d < card.dies().size(); d++) {
          out.add(new VastaiDevice(card.dies().get(d), out.size(), c, d, card.memoryMibPerDie(), card.numaNode()));
        }
      }
    }
    return out;
  }

  @Override
  public HealthMonitor health() {
    return health;
  }

  /** The health poller (tests poll it directly). */
  public PollingHealthMonitor healthPoller() {
    return health;
  }

  private Map<String, Optional<String>> probe() {
    Map<String, Optional<String>> out = new LinkedHashMap<>();
    for (VastaiDevice d : discover()) {
      out.put(d.uuid(), port.healthy(d.uuid()) ? Optional.empty() : Optional.of("Vastai " + strategy.wireName()
          + " " + d.uuid() + " reports a fault"));
    }
    return out;
  }

  @Override
  public NodeServing serve(NodeContext node) {
    VastaiDeviceConfig config = node.deviceConfig().vastai();
    if (!config.enabled()) {
      LOG.info("vastai.enabled is false in the device config: Vastai devices are not served");
      return NodeServing.nothing();
    }
    List<VastaiDevice> devices = discover();
    if (devices.isEmpty()) {
      LOG.warn("no Vastai card found: {} is not served", config.resourceCountName());
      return NodeServing.nothing();
    }
    String resource = config.resourceCountName();
    PodAllocationHandler handler = new PodAllocationHandler(new Allocation(resource, devices), node.nodeName(),
        node.pods(), node.lockRelease());
    LOG.info("node {}: {} Vastai {}s as {}", node.nodeName(), devices.size(), strategy.wireName(), resource);
    List<PhysicalDevice> physical = List.copyOf(devices);
    return new NodeServing(physical, physical, List.of(new PluginResource(resource,
        DeviceIds.count(devices, SHARES), handler, PluginResource.Grouping.ONE_PER_CARD,
        PluginResource.socketName("vastai", resource))), Optional.of(new Registration(devices, strategy)), List.of(),
        List.of());
  }

  /** {@code hami.io/node-va-register} and, with every publish, {@code hami.io/node-handshake-va}. */
  private record Registration(List<VastaiDevice> devices, DeviceStrategy strategy) implements NodeRegistration {
    @Override
    public Map<String, String> annotations(Map<String, DeviceHealth> health) {
      List<HamiDeviceInfo> out = new ArrayList<>();
      for (VastaiDevice d : devices) {
        Map<String, Object> custom = new LinkedHashMap<>();
        custom.put(VastaiAnnotations.CUSTOM_DEVICE_STRATEGY, strategy.wireName());
        custom.put(VastaiAnnotations.CUSTOM_AIC, Integer.toString(d.card()));
        out.add(new HamiDeviceInfo(d.uuid(), d.index(), SHARES, d.memoryMib(), DEVCORE,
            VastaiAnnotations.COMMON_WORD, Math.max(0, d.numaNode()), "",
            health.getOrDefault(d.uuid(), DeviceHealth.HEALTHY).isHealthy(), "", custom));
      }
      return Map.of(VastaiAnnotations.NODE_REGISTER, HamiDeviceInfoCodec.encode(out));
    }

    @Override
    public Map<String, String> heartbeat(Instant now) {
      return Map.of(VastaiAnnotations.NODE_HANDSHAKE, HamiAnnotations.reported(now));
    }
  }

  /** Allocate: the entry's devices, each a device of this node, as {@value #VISIBLE_DEVICES}. */
  private record Allocation(String resource, List<VastaiDevice> devices) implements AllocationKind {
    @Override
    public AssignmentAnnotations annotations() {
      return AssignmentAnnotations.hami(VastaiAnnotations.COMMON_WORD);
    }

    @Override
    public String countResource() {
      return resource;
    }

    @Override
    public boolean requestsDevices(PodSnapshot.Container container) {
      return container.hasPositiveLimit(resource);
    }

    @Override
    public ContainerAllocateResponse answer(ContainerAssignment a) {
      List<String> indexes = new ArrayList<>();
      for (var slice : a.devices()) {
        VastaiDevice d = devices.stream().filter(x -> x.uuid().equals(slice.uuid())).findFirst()
            .orElseThrow(() -> new AssignmentMismatch("pod " + a.pod().key() + " was assigned " + slice.uuid()
                + ", which is not a Vastai device of this node"));
        indexes.add(Integer.toString(d.index()));
      }
      return ContainerAllocateResponse.newBuilder()
          .putEnvs(VISIBLE_DEVICES, indexes.stream().collect(Collectors.joining(","))).build();
    }
  }

  @Override
  public void close() {
    health.close();
    port.close();
  }
}
