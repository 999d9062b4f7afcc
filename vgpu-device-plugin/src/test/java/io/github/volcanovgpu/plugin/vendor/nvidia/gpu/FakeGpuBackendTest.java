package io.github.volcanovgpu.plugin.vendor.nvidia.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.plugin.device.DiscoveryException;
import io.github.volcanovgpu.plugin.device.HealthEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FakeGpuBackendTest {
  @Test
  void countGivesA100CardsWithDeterministicUuids() {
    List<PhysicalGpu> a = FakeGpuBackend.ofCount(2).discover();
    List<PhysicalGpu> b = FakeGpuBackend.ofCount(2).discover();
    assertThat(a).hasSize(2).isEqualTo(b);
    assertThat(a.get(0).model()).isEqualTo("NVIDIA A100-SXM4-80GB");
    assertThat(a.get(0).memoryMib()).isEqualTo(81920);
    assertThat(a).extracting(PhysicalGpu::minorNumber).containsExactly(0, 1);
    assertThat(a.get(0).uuid()).startsWith("GPU-").isNotEqualTo(a.get(1).uuid());
  }

  @Test
  void argumentIsACountOrAFile(@TempDir Path dir) throws Exception {
    assertThat(FakeGpuBackend.fromArgument("3").discover()).hasSize(3);
    Path file = dir.resolve("gpus.yaml");
    Files.writeString(file, "gpus:\n- {uuid: GPU-a, model: NVIDIA T4, memoryMib: 15360, minor: 3, numa: 1}\n");
    PhysicalGpu gpu = FakeGpuBackend.fromArgument(file.toString()).discover().get(0);
    assertThat(gpu).isEqualTo(new PhysicalGpu("GPU-a", 3, "NVIDIA T4", 15360, 1, false));
  }

  @Test
  void yamlDefaultsMinorToIndexAndNumaToUnknown() {
    List<PhysicalGpu> gpus = FakeGpuBackend.fromYaml(
        "gpus:\n- {uuid: GPU-a, memoryMib: 100}\n- {uuid: GPU-b, memoryMib: 200, migCapable: true}\n", "t")
        .discover();
    assertThat(gpus.get(1)).isEqualTo(new PhysicalGpu("GPU-b", 1, "NVIDIA A100-SXM4-80GB", 200, -1, true));
  }

  @Test
  void invalidFilesAreRejectedNamingTheProblem(@TempDir Path dir) {
    assertThatThrownBy(() -> FakeGpuBackend.fromYaml("gpus: []\n", "f.yaml"))
        .isInstanceOf(DiscoveryException.class).hasMessageContaining("f.yaml").hasMessageContaining("at least one");
    assertThatThrownBy(() -> FakeGpuBackend.fromYaml("gpus:\n- {uuid: GPU-a, memoryMib: 1, colour: red}\n", "f"))
        .isInstanceOf(DiscoveryException.class).hasMessageContaining("colour");
    assertThatThrownBy(() -> FakeGpuBackend.fromYaml("gpus:\n- {memoryMib: 1}\n", "f"))
        .isInstanceOf(DiscoveryException.class).hasMessageContaining("gpus[0]").hasMessageContaining("uuid");
    assertThatThrownBy(() -> FakeGpuBackend.fromYaml("gpus:\n- {uuid: GPU-a}\n", "f"))
        .isInstanceOf(DiscoveryException.class).hasMessageContaining("memoryMib");
    assertThatThrownBy(() -> FakeGpuBackend.fromYaml(
        "gpus:\n- {uuid: GPU-a, memoryMib: 1}\n- {uuid: GPU-a, memoryMib: 1}\n", "f"))
        .isInstanceOf(DiscoveryException.class).hasMessageContaining("gpus[1]").hasMessageContaining("duplicate uuid");
    assertThatThrownBy(() -> FakeGpuBackend.fromYaml(
        "gpus:\n- {uuid: GPU-a, memoryMib: 1, minor: 0}\n- {uuid: GPU-b, memoryMib: 1, minor: 0}\n", "f"))
        .isInstanceOf(DiscoveryException.class).hasMessageContaining("duplicate minor 0");
    assertThatThrownBy(() -> FakeGpuBackend.fromYaml("gpus:\n- {uuid: 'GPU:a', memoryMib: 1}\n", "f"))
        .isInstanceOf(DiscoveryException.class).hasMessageContaining("gpus[0]");
    assertThatThrownBy(() -> FakeGpuBackend.fromYaml("gpus: [", "f"))
        .isInstanceOf(DiscoveryException.class).hasMessageContaining("not a valid fake GPU file");
    assertThatThrownBy(() -> FakeGpuBackend.fromFile(dir.resolve("missing.yaml")))
        .isInstanceOf(DiscoveryException.class).hasMessageContaining("missing.yaml");
    assertThatThrownBy(() -> FakeGpuBackend.ofCount(0)).isInstanceOf(DiscoveryException.class);
  }

  @Test
  void injectedXidAndRecoveryReachListeners() {
    FakeGpuBackend backend = FakeGpuBackend.ofCount(2);
    String uuid = backend.discover().get(1).uuid();
    List<HealthEvent> events = new ArrayList<>();
    backend.watchHealth(events::add);
    backend.injectXid(uuid, 79);
    backend.recover(uuid);
    assertThat(events).extracting(HealthEvent::uuid).containsExactly(uuid, uuid);
    assertThat(events).extracting(HealthEvent::xid).containsExactly(79L, 0L);
    assertThat(events.get(1).isRecovery()).isTrue();
    assertThatThrownBy(() -> backend.injectXid("GPU-nope", 79)).hasMessageContaining("GPU-nope");
    backend.close();
    backend.injectXid(uuid, 79);
    assertThat(events).hasSize(2);
  }
}
