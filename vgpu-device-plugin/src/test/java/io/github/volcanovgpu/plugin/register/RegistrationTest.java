package io.github.volcanovgpu.plugin.register;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.config.ConfigException;
import io.github.volcanovgpu.contract.config.NvidiaDeviceConfig;
import io.github.volcanovgpu.contract.device.GpuMode;
import io.github.volcanovgpu.plugin.device.DeviceHealth;
import io.github.volcanovgpu.plugin.vendor.nvidia.NodeInventory;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.PhysicalGpu;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RegistrationTest {
  private static final List<PhysicalGpu> GPUS = List.of(
      new PhysicalGpu("GPU-bbb", 1, "NVIDIA A100-PCIE-40GB", 40960, 0, true),
      new PhysicalGpu("GPU-aaa", 0, "NVIDIA A100-PCIE-40GB", 40960, 0, true));

  private static PluginSettings settings(String nodeConfigJson, PluginSettings.Overrides o) {
    return PluginSettings.resolve("gpu-1", NvidiaDeviceConfig.defaults(), NodeConfig.parse(nodeConfigJson, "t"), o);
  }

  @Test
  void registersInMinorOrderExactlyAsVolcanoDecodesIt() {
    PluginSettings s = settings("", PluginSettings.Overrides.none());
    String value = NodeInventory.annotation(NodeInventory.selected(GPUS, s), Map.of(), s);
    assertThat(value).isEqualTo("GPU-aaa,10,40960,NVIDIA-NVIDIA A100-PCIE-40GB,true,hami-core:"
        + "GPU-bbb,10,40960,NVIDIA-NVIDIA A100-PCIE-40GB,true,hami-core:");
  }

  @Test
  void unhealthyCardIsRegisteredWithHealthFalse() {
    PluginSettings s = settings("", PluginSettings.Overrides.none());
    String value = NodeInventory.annotation(NodeInventory.selected(GPUS, s),
        Map.of("GPU-bbb", new DeviceHealth.Unhealthy("XID 79", Instant.EPOCH)), s);
    assertThat(value).contains("GPU-bbb,10,40960,NVIDIA-NVIDIA A100-PCIE-40GB,false,hami-core:");
  }

  @Test
  void nodeConfigOverridesSplitModeAndFiltersDevices() {
    PluginSettings s = settings("""
        {"nodeconfig":[{"name":"other","devicesplitcount":3},
          {"name":"gpu-1","operatingmode":"mig","devicesplitcount":4,"devicecorescaling":0,
           "filterdevices":{"uuid":["GPU-bbb"],"index":[]}}]}""", PluginSettings.Overrides.none());
    assertThat(s.splitCount()).isEqualTo(4);
    assertThat(s.coreScaling()).isEqualTo(1.0);
    assertThat(s.mode()).isEqualTo(GpuMode.MIG);
    assertThat(NodeInventory.selected(GPUS, s)).extracting(PhysicalGpu::uuid).containsExactly("GPU-aaa");
  }

  @Test
  void memoryFactorDividesTheRegisteredMemory() {
    PluginSettings s = settings("", new PluginSettings.Overrides(Optional.empty(), Optional.of(2), Optional.empty()));
    assertThat(NodeInventory.registration(NodeInventory.selected(GPUS, s), Map.of(), s).get(0).memoryUnits())
        .isEqualTo(20480);
  }

  @Test
  void zeroMemoryFactorAndMissingNodeNameAreReportedTogether() {
    assertThatThrownBy(() -> PluginSettings.resolve("", NvidiaDeviceConfig.defaults(), NodeConfig.empty(),
        new PluginSettings.Overrides(Optional.empty(), Optional.of(0), Optional.empty())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("NODE_NAME is required")
        .hasMessageContaining("gpu memory factor must be >= 1");
  }

  @Test
  void badNodeConfigNamesTheEntry() {
    assertThatThrownBy(() -> NodeConfig.parse("{\"nodeconfig\":[{\"operatingmode\":\"mps\"}]}", "config.json"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("nodeconfig[0].name is required")
        .hasMessageContaining("nodeconfig[0].operatingmode must be hami-core or mig");
  }

  @Test
  void publisherPatchesOnlyWhenTheValueChanges() {
    FakeNodeAnnotator node = new FakeNodeAnnotator();
    AtomicReference<String> value = new AtomicReference<>("GPU-a,10,1,NVIDIA-X,true,hami-core:");
    RegistrationPublisher p = new RegistrationPublisher("gpu-1", node, value::get, false, Clock.systemUTC());
    assertThat(p.publish()).isTrue();
    assertThat(p.publish()).isFalse();
    assertThat(p.publish()).isFalse();
    value.set("GPU-a,10,1,NVIDIA-X,false,hami-core:");
    assertThat(p.publish()).isTrue();
    assertThat(node.patches).hasSize(2);
    assertThat(node.annotations).containsEntry(VgpuAnnotations.NODE_REGISTER, "GPU-a,10,1,NVIDIA-X,false,hami-core:");
  }

  @Test
  void publisherDoesNotPatchWhenTheNodeAlreadyCarriesTheValue() {
    FakeNodeAnnotator node = new FakeNodeAnnotator();
    node.annotations.put(VgpuAnnotations.NODE_REGISTER, "v:");
    RegistrationPublisher p = new RegistrationPublisher("gpu-1", node, () -> "v:", false, Clock.systemUTC());
    assertThat(p.publish()).isFalse();
    assertThat(node.patches).isEmpty();
  }

  @Test
  void legacyHandshakeIsWrittenInGosTimeFormat() {
    FakeNodeAnnotator node = new FakeNodeAnnotator();
    Clock clock = Clock.fixed(Instant.parse("2025-01-01T10:00:00.123Z"), ZoneOffset.UTC);
    new RegistrationPublisher("gpu-1", node, () -> "v:", true, clock).publish();
    assertThat(node.annotations)
        .containsEntry(VgpuAnnotations.NODE_HANDSHAKE, "Reported 2025-01-01 10:00:00.123 +0000 UTC");
  }
}
