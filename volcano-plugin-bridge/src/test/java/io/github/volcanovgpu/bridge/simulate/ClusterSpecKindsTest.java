package io.github.volcanovgpu.bridge.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfo;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfoCodec;
import io.github.volcanovgpu.contract.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterSpecKindsTest {
  @TempDir
  Path dir;

  private List<NodeView> nodes(String yaml) throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, yaml);
    return ClusterSpec.read(f).toNodes();
  }

  @Test
  void ascendNodesAreRegisteredAsTheirDevicePluginRegistersThem() throws Exception {
    NodeView n = nodes("nodes:\n- {name: a3, kind: ascend, count: 1, chip: Ascend910C, npus: 4, hamiCore: true}\n")
        .get(0);
    assertThat(n.annotations()).containsEntry("hami-vnpu-core", "true")
        .containsKey("hami.io/node-handshake-Ascend910C");
    List<HamiDeviceInfo> npus =
        HamiDeviceInfoCodec.decode("k", n.annotations().get("hami.io/node-register-Ascend910C"));
    assertThat(npus).hasSize(4).allMatch(d -> d.devmem() == 65536 && d.count() == 10 && d.devcore() == 100);
    assertThat(npus.get(3).customLong("ModuleID")).contains(1L);
    assertThat(n.allocatable()).containsEntry("huawei.com/Ascend910C", "40");
  }

  @Test
  void templateNodesShareByTheSmallestTemplate() throws Exception {
    NodeView n = nodes("nodes:\n- {name: b3, kind: ascend, count: 1, chip: Ascend910B3, npus: 2}\n").get(0);
    assertThat(HamiDeviceInfoCodec.decode("k", n.annotations().get("hami.io/node-register-Ascend910B3")))
        .allMatch(d -> d.count() == 4 && d.devcore() == 20);
    assertThat(n.annotations()).containsEntry("hami-vnpu-core", "false");
  }

  @Test
  void vastaiNodesRegisterDiesOrCards() throws Exception {
    List<NodeView> n = nodes("nodes:\n- {name: d, kind: vastai, count: 1, cards: 2, diesPerCard: 3}\n"
        + "- {name: c, kind: vastai, count: 1, cards: 2}\n");
    assertThat(HamiDeviceInfoCodec.decode("k", n.get(0).annotations().get("hami.io/node-va-register")))
        .hasSize(6).allMatch(d -> d.customString("DeviceStrategy").orElseThrow().equals("die"));
    assertThat(n.get(1).allocatable()).containsEntry("vastaitech.com/va", "2");
  }

  @Test
  void badGroupsAreNamed() {
    assertThatThrownBy(() -> nodes("nodes:\n- {name: x, kind: ascend, count: 1, chip: Ascend999, npus: 0}\n"
        + "- {name: y, kind: tpu, count: 1}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("nodes[0].chip must be a shipped Ascend commonWord")
        .hasMessageContaining("nodes[0].npus must be within 1..64")
        .hasMessageContaining("nodes[1].kind must be nvidia, ascend or vastai, got tpu");
  }
}
