package io.github.volcanovgpu.plugin.vendor.vastai;

import static io.github.volcanovgpu.plugin.vendor.HamiPods.NODE;
import static io.github.volcanovgpu.plugin.vendor.HamiPods.container;
import static io.github.volcanovgpu.plugin.vendor.HamiPods.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.contract.annotation.HamiAnnotations;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfo;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfoCodec;
import io.github.volcanovgpu.contract.annotation.VastaiAnnotations;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.plugin.allocate.AllocationHandler;
import io.github.volcanovgpu.plugin.allocate.FakePodSource;
import io.github.volcanovgpu.plugin.device.HealthEvent;
import io.github.volcanovgpu.plugin.device.NodeContext;
import io.github.volcanovgpu.plugin.device.NodeServing;
import io.github.volcanovgpu.plugin.device.PluginResource;
import io.github.volcanovgpu.plugin.register.NodeConfig;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Vastai on fake machines: devices per strategy, the registration, Allocate and health. */
class VastaiBackendTest {
  private static final String VA = "vastaitech.com/va";
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-04T10:00:00Z"), ZoneOffset.UTC);

  private final FakePodSource pods = new FakePodSource();

  private static VastaiBackend backend(FakeVastaiPort port, DeviceStrategy strategy) {
    return new VastaiBackend(port, strategy, Duration.ZERO, CLOCK);
  }

  private NodeServing serve(VastaiBackend backend, DeviceConfig config) {
    return backend.serve(new NodeContext(NODE, config, NodeConfig.empty(), Map.of(), pods, Runnable::run, CLOCK));
  }

  @Test
  void dieModeRegistersOneExclusiveDevicePerDieWithItsCard() {
    NodeServing s = serve(backend(FakeVastaiPort.fromArgument("4x2", NODE), DeviceStrategy.DIE),
        DeviceConfig.defaults());
    String value = s.registration().orElseThrow().annotations(Map.of()).get(VastaiAnnotations.NODE_REGISTER);

    assertThat(value).startsWith("[{\"id\":\"" + NODE + "-va0-die0\",\"count\":1,\"devmem\":16384,\"devcore\":100,"
        + "\"type\":\"Vastai\",\"health\":true,\"custominfo\":{\"AIC\":\"0\",\"DeviceStrategy\":\"die\"},"
        + "\"devicepairscore\":{}},{\"id\":\"" + NODE + "-va0-die1\",\"index\":1,");
    List<HamiDeviceInfo> devices = HamiDeviceInfoCodec.decode(VastaiAnnotations.NODE_REGISTER, value);
    assertThat(devices).hasSize(8).extracting(d -> d.customString(VastaiAnnotations.CUSTOM_AIC).orElseThrow())
        .containsExactly("0", "0", "1", "1", "2", "2", "3", "3");
    assertThat(devices.get(5).numa()).isEqualTo(1);
    PluginResource r = s.resources().get(0);
    assertThat(r.resourceName()).isEqualTo(VA);
    assertThat(r.socketName()).isEqualTo("vastai-va.sock");
    assertThat(r.devices()).extracting(d -> d.id()).startsWith(NODE + "-va0-die0-0", NODE + "-va0-die1-0")
        .hasSize(8);
    assertThat(s.registration().orElseThrow().heartbeat(CLOCK.instant()))
        .containsExactly(Map.entry(VastaiAnnotations.NODE_HANDSHAKE, "Reported_2026.12.04 10:00:00"));
  }

  @Test
  void cardModeRegistersOneDevicePerCardWithAllItsMemory() {
    NodeServing s = serve(backend(FakeVastaiPort.fromArgument("2x4", NODE), DeviceStrategy.CARD),
        DeviceConfig.defaults());
    List<HamiDeviceInfo> devices = HamiDeviceInfoCodec.decode("k",
        s.registration().orElseThrow().annotations(Map.of()).get(VastaiAnnotations.NODE_REGISTER));

    assertThat(devices).extracting(HamiDeviceInfo::id, HamiDeviceInfo::devmem,
        d -> d.customString(VastaiAnnotations.CUSTOM_DEVICE_STRATEGY).orElseThrow())
        .containsExactly(org.assertj.core.groups.Tuple.tuple(NODE + "-va0", 32768L, "card"),
            org.assertj.core.groups.Tuple.tuple(NODE + "-va1", 32768L, "card"));
  }

  @Test
  void allocateHandsTheEntrysDevicesOutByIndexAndSucceeds() {
    AllocationHandler h = serve(backend(FakeVastaiPort.fromArgument("4x2", NODE), DeviceStrategy.DIE),
        DeviceConfig.defaults()).resources().get(0).handler();
    String die2 = NODE + "-va1-die0";
    String die3 = NODE + "-va1-die1";
    pods.put(pod("va", "Vastai", die2 + ",Vastai,16384,0:" + die3 + ",Vastai,16384,0:;")
        .container(container("main", VA, "2")).build());

    var r = h.allocate(VA, AllocateRequest.newBuilder().addContainerRequests(ContainerAllocateRequest.newBuilder()
        .addDevicesIds(die3 + "-0").addDevicesIds(die2 + "-0")).build()).getContainerResponses(0);

    assertThat(r.getEnvsMap()).containsExactly(Map.entry(VastaiBackend.VISIBLE_DEVICES, "2,3"));
    assertThat(pods.annotation("va", HamiAnnotations.BIND_PHASE)).isEqualTo("success");
    assertThat(pods.annotation("va", HamiAnnotations.devicesToAllocate("Vastai"))).isEqualTo(";");
  }

  @Test
  void aDeviceOfAnotherStrategyOrNodeIsRefused() {
    AllocationHandler h = serve(backend(FakeVastaiPort.fromArgument("4x2", NODE), DeviceStrategy.CARD),
        DeviceConfig.defaults()).resources().get(0).handler();
    pods.put(pod("die", "Vastai", NODE + "-va0-die0,Vastai,0,0:;").container(container("main", VA, "1")).build());

    assertThatThrownBy(() -> h.allocate(VA, AllocateRequest.newBuilder().addContainerRequests(
        ContainerAllocateRequest.newBuilder().addDevicesIds(NODE + "-va0-die0-0")).build()))
        .hasMessageContaining(NODE + "-va0-die0, which is not a Vastai device of this node");
    assertThat(pods.annotation("die", HamiAnnotations.BIND_PHASE)).isEqualTo("failed");
  }

  @Test
  void aFaultyCardMakesItsDiesUnhealthyUntilItRecovers() {
    FakeVastaiPort port = FakeVastaiPort.fromArgument("4x2", NODE);
    VastaiBackend backend = backend(port, DeviceStrategy.DIE);
    List<HealthEvent> seen = new java.util.ArrayList<>();
    backend.health().watchHealth(seen::add);

    port.setHealthy(NODE + "-va2", false);
    assertThat(backend.healthPoller().pollOnce()).extracting(HealthEvent::uuid, HealthEvent::isFault)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(NODE + "-va2-die0", true),
            org.assertj.core.groups.Tuple.tuple(NODE + "-va2-die1", true));
    port.setHealthy(NODE + "-va2", true);
    assertThat(backend.healthPoller().pollOnce()).extracting(HealthEvent::isRecovery).containsExactly(true, true);
    assertThat(seen).hasSize(4);
  }

  @Test
  void disabledInTheDeviceConfigServesNothingAndBadFixturesAreNamed() {
    DeviceConfig off = DeviceConfig.parse("vastai:\n  enabled: false\n", "t");
    assertThat(serve(backend(FakeVastaiPort.fromArgument("2x4", NODE), DeviceStrategy.CARD), off))
        .isEqualTo(NodeServing.nothing());
    assertThatThrownBy(() -> FakeVastaiPort.fromYaml("cards: [{dies: 0}]", "va.yaml", NODE))
        .hasMessageContaining("va.yaml: cards[0]: \"dies\" must be 1..16, got 0");
    assertThatThrownBy(() -> FakeVastaiPort.fromYaml("cards: [{chips: 2}]", "va.yaml", NODE))
        .hasMessageContaining("unknown key \"chips\"");
    assertThatThrownBy(() -> DeviceStrategy.parse("chip")).hasMessageContaining("want card or die");
  }
}
