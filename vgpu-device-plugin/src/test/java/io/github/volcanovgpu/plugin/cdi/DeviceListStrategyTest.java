package io.github.volcanovgpu.plugin.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class DeviceListStrategyTest {
  @Test
  void commaListsParseInAnyOrderAndCase() {
    assertThat(DeviceListStrategy.parseList("envvar")).containsExactly(DeviceListStrategy.ENVVAR);
    assertThat(DeviceListStrategy.parseList(" CDI-CRI, envvar ,")).containsExactlyInAnyOrder(
        DeviceListStrategy.ENVVAR, DeviceListStrategy.CDI_CRI);
    assertThat(DeviceListStrategy.parseList("volume-mounts,cdi-annotations")).containsExactlyInAnyOrder(
        DeviceListStrategy.VOLUME_MOUNTS, DeviceListStrategy.CDI_ANNOTATIONS);
  }

  @Test
  void unknownOrEmptyListsAreErrorsNamingTheValidValues() {
    assertThatThrownBy(() -> DeviceListStrategy.parseList("envvar,cdi"))
        .hasMessageContaining("unknown device list strategy \"cdi\"")
        .hasMessageContaining("envvar, volume-mounts, cdi-annotations, cdi-cri");
    assertThatThrownBy(() -> DeviceListStrategy.parseList(" , ")).hasMessageContaining("no device list strategy");
  }

  @Test
  void anyCdiAndAllCdiTellTheModes() {
    DeviceListSettings classic = DeviceListSettings.envvar();
    DeviceListSettings mixed = DeviceListSettings.of(EnumSet.of(DeviceListStrategy.ENVVAR,
        DeviceListStrategy.CDI_CRI));
    DeviceListSettings cdi = DeviceListSettings.of(EnumSet.of(DeviceListStrategy.CDI_ANNOTATIONS,
        DeviceListStrategy.CDI_CRI));
    assertThat(classic.anyCdi()).isFalse();
    assertThat(classic.allCdi()).isFalse();
    assertThat(mixed.anyCdi()).isTrue();
    assertThat(mixed.allCdi()).isFalse();
    assertThat(cdi.allCdi()).isTrue();
    assertThat(cdi.cdiRoot().toString()).isEqualTo("/var/run/cdi");
    assertThat(cdi.kind().toString()).isEqualTo("k8s.device-plugin.nvidia.com/gpu");
  }
}
