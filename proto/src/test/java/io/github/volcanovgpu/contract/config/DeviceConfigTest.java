package io.github.volcanovgpu.contract.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DeviceConfigTest {
  @Test
  void readsTheShippedNvidiaBlockWithMigGeometries() {
    DeviceConfig c = DeviceConfig.parse("""
        nvidia:
          resourceCountName: volcano.sh/vgpu-number
          resourceMemoryName: volcano.sh/vgpu-memory
          resourceMemoryPercentageName: volcano.sh/vgpu-memory-percentage
          resourceCoreName: volcano.sh/vgpu-cores
          overwriteEnv: false
          defaultMemory: 0
          defaultCores: 0
          defaultGPUNum: 1
          deviceSplitCount: 10
          deviceMemoryScaling: 1
          deviceCoreScaling: 1
          gpuMemoryFactor: 1
          someFutureKey: ignored
          knownMigGeometries:
          - models: [ "A30" ]
            allowedGeometries:
            - group: group1
              geometries:
              - name: 1g.6gb
                memory: 6144
                count: 4
        """, "test");
    assertThat(c.nvidia().deviceSplitCount()).isEqualTo(10);
    assertThat(c.nvidia().resourceNames().memoryPercentage()).isEqualTo("volcano.sh/vgpu-memory-percentage");
    assertThat(c.nvidia().knownMigGeometries()).hasSize(1);
    assertThat(c.nvidia().knownMigGeometries().get(0).allowedGeometries().get(0).geometries().get(0).count())
        .isEqualTo(4);
  }

  @Test
  void absentKeysTakeTheDefaults() {
    DeviceConfig c = DeviceConfig.parse("nvidia:\n  deviceSplitCount: 4\n", "test");
    assertThat(c.nvidia().deviceSplitCount()).isEqualTo(4);
    assertThat(c.nvidia().gpuMemoryFactor()).isEqualTo(1);
    assertThat(c.nvidia().resourceCountName()).isEqualTo("volcano.sh/vgpu-number");
  }

  @Test
  void zeroMemoryFactorAndZeroSplitAreReportedTogether() {
    assertThatThrownBy(() -> DeviceConfig.parse("nvidia:\n  gpuMemoryFactor: 0\n  deviceSplitCount: 0\n", "cm"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("gpuMemoryFactor must be >= 1")
        .hasMessageContaining("deviceSplitCount must be >= 1")
        .hasMessageStartingWith("cm: ");
  }

  @Test
  void brokenYamlNamesTheSource() {
    assertThatThrownBy(() -> DeviceConfig.parse("nvidia: [unclosed", "configmap kube-system/x"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("configmap kube-system/x")
        .hasMessageContaining("not valid device-config YAML");
  }

  @Test
  void emptyTextMeansDefaults() {
    assertThat(DeviceConfig.parse("", "x")).isEqualTo(DeviceConfig.defaults());
  }

  @Test
  void migGroupNamesMustBeUsableInDeviceIds() {
    String yaml = """
        nvidia:
          knownMigGeometries:
          - models: ["A100"]
            allowedGeometries:
            - group: g1
              geometries: [{name: 1g.5gb, memory: 5120, count: 7}]
            - group: g1
              geometries: [{name: 3g.20gb, memory: 20480, count: 2}]
            - geometries: [{name: 7g.40gb, memory: 40960, count: 1}]
            - group: "a,b"
              geometries: [{name: 7g.40gb, memory: 40960, count: 1}]
        """;
    assertThatThrownBy(() -> DeviceConfig.parse(yaml, "cm"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("nvidia.knownMigGeometries[0] group g1 is listed twice")
        .hasMessageContaining("group name '' must be non-empty")
        .hasMessageContaining("group name 'a,b' must be non-empty and free of [ ] , : ;");
  }
}
