package io.github.volcanovgpu.plugin.vendor.ascend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.plugin.device.DiscoveryException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FakeDcmiPortTest {
  @TempDir
  Path tmp;

  @Test
  void builtInMachinesDescribeTheirNpus() {
    List<Npu> b3 = FakeDcmiPort.fixture("910B3x8", "n1").npus();
    assertThat(b3).hasSize(8).allSatisfy(n -> {
      assertThat(n.chipName()).isEqualTo("910B3");
      assertThat(n.memoryMib()).isEqualTo(65536);
      assertThat(n.aiCore()).isEqualTo(20);
    });
    assertThat(b3).extracting(Npu::networkId).containsExactly(0, 0, 0, 0, 1, 1, 1, 1);
    assertThat(b3.get(6).uuid()).isEqualTo("n1-npu-6");

    List<Npu> c = FakeDcmiPort.fixture("910Cx16", "n1").npus();
    assertThat(c).hasSize(16).extracting(Npu::chipName).containsOnly("Ascend910");
    assertThat(c).extracting(Npu::moduleId).containsExactly(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    assertThat(c.get(3)).extracting(Npu::cardId, Npu::deviceId).containsExactly(1, 1);

    List<Npu> p = FakeDcmiPort.fixture("310P3x4", "n1").npus();
    assertThat(p).hasSize(4).allSatisfy(n -> {
      assertThat(n.chipName()).isEqualTo("310P3");
      assertThat(n.networkId()).isEqualTo(-1);
      assertThat(n.memoryMib()).isEqualTo(24576);
    });
  }

  @Test
  void healthWordsAreInjectedPerNpu() {
    FakeDcmiPort port = FakeDcmiPort.fixture("310P3x4", "n1");
    Npu second = port.npus().get(1);
    assertThat(port.health(second)).isEqualTo(AscendDcmiPort.HEALTHY);

    port.setHealth(second.uuid(), 2);

    assertThat(port.health(second)).isEqualTo(2);
    assertThat(AscendDcmiPort.describe(2)).isEqualTo("DCMI health 2 (major alarm)");
    assertThat(AscendDcmiPort.describe(AscendDcmiPort.ABSENT)).isEqualTo("DCMI health 4294967295 (device absent)");
    assertThatThrownBy(() -> port.setHealth("nope", 1)).hasMessageContaining("unknown fake NPU nope");
  }

  @Test
  void aFileArgumentIsReadAndBadFilesAreNamedWithTheirProblem() throws Exception {
    Path file = Files.writeString(tmp.resolve("npus.yaml"), "chipName: 910B4\nnpus: [{phyId: 3, id: my-npu}]\n");
    assertThat(FakeDcmiPort.fromArgument(file.toString(), "n1").npus()).singleElement()
        .satisfies(n -> assertThat(n.uuid()).isEqualTo("my-npu"));

    assertThatThrownBy(() -> FakeDcmiPort.fromArgument("910X", "n1")).isInstanceOf(DiscoveryException.class)
        .hasMessageContaining("neither a built-in fixture (910B3x8, 910Cx16, 310P3x4) nor an existing file");
    assertThatThrownBy(() -> FakeDcmiPort.fromYaml("npus: [{phyId: 0, color: red}]", "f.yaml", "n1"))
        .hasMessageContaining("f.yaml: unknown key \"color\"");
    assertThatThrownBy(() -> FakeDcmiPort.fromYaml("npus: [{phyId: 0}]", "f.yaml", "n1"))
        .hasMessageContaining("npus[0]: \"chipName\" is required");
    assertThatThrownBy(() -> FakeDcmiPort.fromYaml("chipName: x\nnpus: [{phyId: 0}, {phyId: 0, id: b}]", "f.yaml",
        "n1")).hasMessageContaining("npus[1]: duplicate phyId 0");
    assertThatThrownBy(() -> FakeDcmiPort.fromYaml("chipName: x\nnpus: []", "f.yaml", "n1"))
        .hasMessageContaining("\"npus\" must list at least one NPU");
    assertThatThrownBy(() -> FakeDcmiPort.fromYaml("chipName: x\nnpus: [{phyId: 0, id: \"a,b\"}]", "f.yaml", "n1"))
        .hasMessageContaining("npus[0]: NPU id must be non-empty without ','");
  }
}
