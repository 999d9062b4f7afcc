package io.github.volcanovgpu.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.plugin.kubelet.DevicePluginService;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.PhysicalGpu;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The MIG flags of {@code ./volcano-vgpu device-plugin}: --mig-strategy, --mig-minors, --fake-mig. */
class MigFlagsTest {
  @TempDir
  Path tmp;

  private static DevicePluginMain parse(String... args) {
    DevicePluginMain main = new DevicePluginMain();
    new CommandLine(main).parseArgs(args);
    return main;
  }

  private Path machine() throws Exception {
    Path file = tmp.resolve("gpus.yaml");
    Files.writeString(file, """
        gpus:
          - model: A100-40GB
            uuid: GPU-mig
            migEnabled: true
            instances: [{profile: 1g.5gb, start: 0}, {profile: 3g.20gb, start: 4}]
          - model: A100-40GB
            uuid: GPU-whole
        """);
    return file;
  }

  @Test
  void fakeMigWithMixedServesTheMachinesCardsAndProfiles() throws Exception {
    DevicePluginMain main = parse("--node-name", "n1", "--no-kube", "--metrics-bind-address", "",
        "--device-plugin-path", tmp.resolve("dp").toString(), "--device-config", tmp.resolve("none").toString(),
        "--fake-mig", machine().toString(), "--mig-strategy", "mixed", "--mig-minors", tmp.resolve("x").toString());
    try (DevicePlugin plugin = main.start(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
      assertThat(plugin.devices(PhysicalGpu.class)).extracting(g -> g.uuid() + " " + g.model() + " " + g.memoryMib())
          .containsExactly("GPU-whole NVIDIA A100-SXM4-40GB 40448");
      assertThat(plugin.manager().services()).extracting(s -> s.resource().resourceName()).containsExactlyInAnyOrder(
          "volcano.sh/vgpu-number", "volcano.sh/vgpu-memory", "volcano.sh/vgpu-cores", "nvidia.com/mig-1g.5gb",
          "nvidia.com/mig-3g.20gb");
      DevicePluginService mig = plugin.manager().services().stream()
          .filter(s -> s.resource().resourceName().equals("nvidia.com/mig-1g.5gb")).findFirst().orElseThrow();
      assertThat(mig.currentList().getDevices(0).getID()).startsWith("MIG-");
    }
  }

  @Test
  void badMigFlagsAreErrorsNamingTheFlag() throws Exception {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    assertThatThrownBy(() -> parse("--node-name", "n1", "--no-kube", "--fake-gpus", "1", "--mig-strategy", "both")
        .start(meters)).hasMessageStartingWith("--mig-strategy: unknown MIG strategy \"both\"");
    assertThatThrownBy(() -> parse("--node-name", "n1", "--no-kube", "--fake-gpus", "1", "--fake-mig",
        machine().toString()).start(meters)).hasMessageContaining("--fake-gpus and --fake-mig");
    assertThatThrownBy(() -> parse("--node-name", "n1", "--no-kube", "--metrics-bind-address", "",
        "--device-plugin-path", tmp.resolve("dp").toString(), "--device-config", tmp.resolve("none").toString(),
        "--fake-gpus", "1", "--mig-strategy", "mixed").start(meters))
        .hasMessageContaining("needs the NVML MIG port").hasMessageContaining("--fake-mig");
  }
}
