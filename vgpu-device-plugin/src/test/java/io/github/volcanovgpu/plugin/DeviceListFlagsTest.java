package io.github.volcanovgpu.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.plugin.cdi.DeviceListSettings;
import io.github.volcanovgpu.plugin.cdi.DeviceListStrategy;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The CDI flags of {@code ./volcano-vgpu device-plugin}. */
class DeviceListFlagsTest {
  private static DevicePluginMain parse(String... args) {
    DevicePluginMain main = new DevicePluginMain();
    new CommandLine(main).parseArgs(args);
    return main;
  }

  @Test
  void defaultsAreEnvvarTheNvidiaKindTheStandardPrefixAndVarRunCdi() {
    DevicePluginMain main = parse();
    if (System.getenv("DEVICE_LIST_STRATEGY") == null) {
      DeviceListSettings list = main.deviceList();
      assertThat(list.strategies()).containsExactly(DeviceListStrategy.ENVVAR);
      assertThat(list.kind().toString()).isEqualTo("k8s.device-plugin.nvidia.com/gpu");
      assertThat(list.annotations().prefix()).isEqualTo("cdi.k8s.io/");
      assertThat(list.cdiRoot()).isEqualTo(Path.of("/var/run/cdi"));
    }
  }

  @Test
  void flagsSetEveryPart() {
    DeviceListSettings list = parse("--device-list-strategy", "envvar,cdi-cri", "--cdi-kind", "vgpu.example.com/gpu",
        "--cdi-annotation-prefix", "cdi.example.com/", "--cdi-root", "/tmp/cdi").deviceList();
    assertThat(list.strategies()).containsExactlyInAnyOrder(DeviceListStrategy.ENVVAR, DeviceListStrategy.CDI_CRI);
    assertThat(list.kind().toString()).isEqualTo("vgpu.example.com/gpu");
    assertThat(list.annotations().prefix()).isEqualTo("cdi.example.com/");
    assertThat(list.cdiRoot()).isEqualTo(Path.of("/tmp/cdi"));
    assertThat(list.driverKind()).isEmpty();
    assertThat(list.devRoot()).isEqualTo(Path.of("/"));
    assertThat(parse("--cdi-dev-root", "/run/nvidia/driver").deviceList().devRoot())
        .isEqualTo(Path.of("/run/nvidia/driver"));
    assertThatThrownBy(() -> parse("--cdi-dev-root", "driver").deviceList()).hasMessageContaining("--cdi-dev-root");
    assertThat(parse("--cdi-driver-kind", "nvidia.com/gpu").deviceList().driverKind().orElseThrow().toString())
        .isEqualTo("nvidia.com/gpu");
  }

  @Test
  void badValuesAreErrorsNamingTheFlag() {
    assertThatThrownBy(() -> parse("--device-list-strategy", "cdi").deviceList())
        .hasMessageStartingWith("--device-list-strategy: unknown device list strategy \"cdi\"");
    assertThatThrownBy(() -> parse("--cdi-kind", "gpu").deviceList())
        .hasMessageStartingWith("--cdi-kind: ").hasMessageContaining("expected <vendor>/<class>");
    assertThatThrownBy(() -> parse("--cdi-annotation-prefix", "cdi.k8s.io").deviceList())
        .hasMessageStartingWith("--cdi-annotation-prefix: invalid annotation prefix");
    assertThatThrownBy(() -> parse("--cdi-driver-kind", "nvidia.com").deviceList())
        .hasMessageStartingWith("--cdi-driver-kind: invalid kind");
    assertThatThrownBy(() -> parse("--cdi-driver-kind", "k8s.device-plugin.nvidia.com/gpu").deviceList())
        .hasMessageStartingWith("--cdi-driver-kind: the driver spec kind must differ");
  }
}
