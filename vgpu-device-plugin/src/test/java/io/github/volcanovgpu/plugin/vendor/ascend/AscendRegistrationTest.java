package io.github.volcanovgpu.plugin.vendor.ascend;

import static io.github.volcanovgpu.plugin.vendor.ascend.AscendFixtures.NODE;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.contract.annotation.AscendAnnotations;
import io.github.volcanovgpu.contract.annotation.HamiAnnotations;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfo;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfoCodec;
import io.github.volcanovgpu.plugin.allocate.FakePodSource;
import io.github.volcanovgpu.plugin.device.DeviceHealth;
import io.github.volcanovgpu.plugin.device.NodeServing;
import io.github.volcanovgpu.plugin.device.PluginResource;
import io.github.volcanovgpu.plugin.register.NodeConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an Ascend node registers with the kubelet and publishes for the scheduler, per fixture and mode. */
class AscendRegistrationTest {
  @TempDir
  Path hook;

  private NodeServing serve(AscendDcmiPort port, NodeConfig nodes) {
    return new AscendBackend(port, AscendFixtures.settings(hook), AscendFixtures.CLOCK)
        .serve(AscendFixtures.context(nodes, new FakePodSource()));
  }

  private static Map<String, String> annotations(NodeServing s, Map<String, DeviceHealth> health) {
    return s.registration().orElseThrow().annotations(health);
  }

  @Test
  void twoNpuTemplateNodeRegistersExactlyAsHamisPluginWritesIt() {
    FakeDcmiPort port = FakeDcmiPort.fromYaml("""
        chipName: 910B3
        npus:
          - {phyId: 0, id: "0A0B0C0D-00000001-00000002-00000003-00000004"}
          - {phyId: 1, id: "0A0B0C0D-00000005-00000006-00000007-00000008", numa: 1}
        """, "t", NODE);
    Map<String, String> a = annotations(serve(port, AscendFixtures.nodeConfig(false, "")), Map.of());

    assertThat(a.get(HamiAnnotations.nodeRegister("Ascend910B3"))).isEqualTo("["
        + "{\"id\":\"0A0B0C0D-00000001-00000002-00000003-00000004\",\"count\":4,\"devmem\":65536,\"devcore\":20,"
        + "\"type\":\"Ascend910B3\",\"health\":true,\"custominfo\":{\"NetworkID\":0,\"PhyID\":0},"
        + "\"devicepairscore\":{}},"
        + "{\"id\":\"0A0B0C0D-00000005-00000006-00000007-00000008\",\"index\":1,\"count\":4,\"devmem\":65536,"
        + "\"devcore\":20,\"type\":\"Ascend910B3\",\"numa\":1,\"health\":true,"
        + "\"custominfo\":{\"NetworkID\":0,\"PhyID\":1},\"devicepairscore\":{}}]");
    assertThat(a).containsEntry(AscendAnnotations.NODE_HAMI_CORE, "false").hasSize(2);
  }

  @Test
  void superPodNodeInHamiCoreModeRegistersSharesModulesAndNetworks() {
    NodeServing s = serve(FakeDcmiPort.fixture("910Cx16", NODE), AscendFixtures.nodeConfig(true, ""));
    List<HamiDeviceInfo> devices = HamiDeviceInfoCodec.decode("k",
        annotations(s, Map.of()).get(HamiAnnotations.nodeRegister("Ascend910C")));

    assertThat(devices).hasSize(16).allSatisfy(d -> {
      assertThat(d.count()).isEqualTo(10);
      assertThat(d.devcore()).isEqualTo(100);
      assertThat(d.devmem()).isEqualTo(65536);
      assertThat(d.mode()).isEqualTo("hami-core");
      assertThat(d.type()).isEqualTo("Ascend910C");
      assertThat(d.customLong(AscendAnnotations.CUSTOM_NETWORK_ID)).contains(0L);
      assertThat(d.customLong(AscendAnnotations.CUSTOM_MODULE_ID)).contains((long) d.index() / 2);
      assertThat(d.customLong(AscendAnnotations.CUSTOM_PHYSICAL_ID)).contains((long) d.index());
    });
    assertThat(devices.get(5).id()).isEqualTo(NODE + "-npu-5");
    assertThat(annotations(s, Map.of())).containsEntry(AscendAnnotations.NODE_HAMI_CORE, "true");
    assertThat(s.registration().orElseThrow().heartbeat(Instant.parse("2026-12-04T10:00:00Z")))
        .containsExactly(Map.entry(HamiAnnotations.nodeHandshake("Ascend910C"), "Reported_2026.12.04 10:00:00"));
    PluginResource r = s.resources().get(0);
    assertThat(r.resourceName()).isEqualTo("huawei.com/Ascend910C");
    assertThat(r.socketName()).isEqualTo("ascend-Ascend910C.sock");
    assertThat(r.devices()).hasSize(160).first().satisfies(d -> assertThat(d.id()).isEqualTo(NODE + "-npu-0-0"));
  }

  @Test
  void nodeConfigSplitCountAndNetworkGroupsOfTheEightNpuNode() {
    NodeServing s = serve(FakeDcmiPort.fixture("910B3x8", NODE),
        AscendFixtures.nodeConfig(true, "\"vnpudevicesplitcount\":4"));
    List<HamiDeviceInfo> devices = HamiDeviceInfoCodec.decode("k",
        annotations(s, Map.of()).get(HamiAnnotations.nodeRegister("Ascend910B3")));

    assertThat(devices).extracting(HamiDeviceInfo::count).containsOnly(4);
    assertThat(devices).extracting(d -> d.customLong(AscendAnnotations.CUSTOM_NETWORK_ID).orElseThrow())
        .containsExactly(0L, 0L, 0L, 0L, 1L, 1L, 1L, 1L);
    assertThat(devices.get(0).customInfo()).doesNotContainKey(AscendAnnotations.CUSTOM_MODULE_ID);
    assertThat(s.resources().get(0).devices()).hasSize(32);
  }

  @Test
  void inferenceNodeCountsTheSmallestTemplateAndHasNoTopology() {
    NodeServing s = serve(FakeDcmiPort.fixture("310P3x4", NODE), NodeConfig.empty());
    List<HamiDeviceInfo> devices = HamiDeviceInfoCodec.decode("k",
        annotations(s, Map.of()).get(HamiAnnotations.nodeRegister("Ascend310P")));

    assertThat(devices).hasSize(4).allSatisfy(d -> {
      assertThat(d.count()).as("21527 MiB allocatable / vir01's 3072 MiB").isEqualTo(7);
      assertThat(d.devmem()).isEqualTo(21527);
      assertThat(d.devcore()).isEqualTo(8);
      assertThat(d.mode()).isEmpty();
      assertThat(d.customInfo()).containsOnlyKeys(AscendAnnotations.CUSTOM_PHYSICAL_ID);
    });
  }

  @Test
  void anUnhealthyNpuIsRegisteredUnhealthy() {
    NodeServing s = serve(FakeDcmiPort.fixture("910B3x8", NODE), NodeConfig.empty());
    List<HamiDeviceInfo> devices = HamiDeviceInfoCodec.decode("k", annotations(s,
        Map.of(NODE + "-npu-2", new DeviceHealth.Unhealthy("DCMI health 2 (major alarm)", Instant.EPOCH)))
        .get(HamiAnnotations.nodeRegister("Ascend910B3")));

    assertThat(devices).extracting(HamiDeviceInfo::health)
        .containsExactly(true, true, false, true, true, true, true, true);
  }

  @Test
  void npusOfAChipNotConfiguredAreNotServed() {
    FakeDcmiPort port = FakeDcmiPort.fromYaml("chipName: 999X\nnpus: [{phyId: 0}]\n", "t", NODE);

    assertThat(serve(port, NodeConfig.empty())).isEqualTo(NodeServing.nothing());
  }
}
