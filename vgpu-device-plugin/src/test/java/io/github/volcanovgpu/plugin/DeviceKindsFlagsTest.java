package io.github.volcanovgpu.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.plugin.kubelet.DevicePluginService;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.PhysicalGpu;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The device-kind flags of {@code ./volcano-vgpu device-plugin}: --device-kinds, --fake-npus, --fake-vastai. */
class DeviceKindsFlagsTest {
  @TempDir
  Path tmp;

  private static DevicePluginMain parse(String... args) {
    DevicePluginMain main = new DevicePluginMain();
    new CommandLine(main).parseArgs(args);
    return main;
  }

  private DevicePluginMain serving(String... more) {
    String[] base = {"--node-name", "n1", "--no-kube", "--metrics-bind-address", "", "--device-plugin-path",
        tmp.resolve("dp").toString(), "--device-config", tmp.resolve("none").toString(), "--npu-hook-path",
        tmp.resolve("hook").toString()};
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return parse(all);
  }

  @Test
  void kindsDefaultToNvidiaOrToTheFakesGiven() {
    Assumptions.assumeTrue(System.getenv("DEVICE_KINDS") == null, "DEVICE_KINDS is set here");
    assertThat(parse().kinds()).containsExactly("nvidia");
    assertThat(parse("--fake-npus", "910Cx16").kinds()).containsExactly("ascend");
    assertThat(parse("--fake-gpus", "2", "--fake-vastai", "4x2").kinds()).containsExactly("nvidia", "vastai");
    assertThat(parse("--device-kinds", "ascend, nvidia", "--fake-npus", "310P3x4").kinds())
        .containsExactly("ascend", "nvidia");
  }

  @Test
  void contradictoryOrUnknownKindsAreErrorsNamingTheFlag() {
    assertThatThrownBy(() -> parse("--device-kinds", "nvidia,tpu").kinds())
        .hasMessage("--device-kinds: unknown kind \"tpu\" (want nvidia, ascend, vastai)");
    assertThatThrownBy(() -> parse("--device-kinds", "nvidia", "--fake-npus", "910Cx16").kinds())
        .hasMessage("--fake-npus describes ascend devices, but --device-kinds is \"nvidia\"");
    assertThatThrownBy(() -> parse("--device-kinds", " , ").kinds()).hasMessageContaining("no kind in");
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    assertThatThrownBy(() -> serving("--device-kinds", "vastai").start(meters))
        .hasMessageContaining("no Vastai driver port exists yet").hasMessageContaining("--fake-vastai 4x2|2x4|FILE");
    assertThatThrownBy(() -> serving("--fake-vastai", "4x2", "--device-strategy", "chip").start(meters))
        .hasMessage("--device-strategy: unknown device strategy \"chip\" (want card or die)");
    assertThatThrownBy(() -> serving("--fake-npus", "910Z").start(meters))
        .hasMessageContaining("--fake-npus: \"910Z\" is neither a built-in fixture");
  }

  @Test
  void fakeNpusAndVastaiDiesAreServedSideBySide() throws Exception {
    try (DevicePlugin plugin = serving("--fake-npus", "910Cx16", "--fake-vastai", "4x2", "--device-strategy", "die")
        .start(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
      assertThat(plugin.manager().services()).extracting(s -> s.resource().resourceName() + " "
          + s.resource().socketName() + " " + s.resource().devices().size())
          .containsExactly("huawei.com/Ascend910C ascend-Ascend910C.sock 64",
              "hami.io/vnpu-core ascend-vnpu-core.sock 64",
              "vastaitech.com/va vastai-va.sock 8");
      assertThat(plugin.devices()).hasSize(24);
      assertThat(plugin.devices(PhysicalGpu.class)).isEmpty();
      assertThat(Files.exists(tmp.resolve("dp").resolve("ascend-Ascend910C.sock"))).isTrue();
      DevicePluginService npus = plugin.manager().services().get(0);
      assertThat(npus.currentList().getDevices(0).getID()).isEqualTo("n1-npu-0-0");
    }
  }
}
