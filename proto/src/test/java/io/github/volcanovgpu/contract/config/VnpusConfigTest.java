package io.github.volcanovgpu.contract.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VnpusConfigTest {
  @Test
  void readsVolcanosWrapperFormat() {
    DeviceConfig c = DeviceConfig.parse("""
        vnpus:
          hamiVnpuCore: true
          configs:
          - chipName: 910C
            commonWord: Ascend910C
            resourceName: huawei.com/Ascend910C
            resourceMemoryName: huawei.com/Ascend910C-memory
            memoryAllocatable: 65536
            memoryCapacity: 65536
            aiCore: 20
            aiCPU: 7
            superPod: true
            templates:
            - {name: vir10_3c_32g, memory: 32768, aiCore: 10, aiCPU: 3}
            - {name: vir05_1c_16g, memory: 16384, aiCore: 5, aiCPU: 1}
        """, "cm");
    assertThat(c.vnpus().hamiVnpuCore()).isTrue();
    VnpuChipConfig chip = c.vnpus().configs().get(0);
    assertThat(chip.resourceCoreName()).isEqualTo("huawei.com/Ascend910C-core");
    assertThat(chip.superPod()).isTrue();
    assertThat(chip.templates()).extracting(VnpuTemplate::name).containsExactly("vir05_1c_16g", "vir10_3c_32g");
    assertThat(chip.trim(10000)).contains(new VnpuChipConfig.TrimmedMemory(16384, "vir05_1c_16g"));
    assertThat(chip.trim(32769)).contains(new VnpuChipConfig.TrimmedMemory(65536, ""));
    assertThat(chip.trim(65537)).isEmpty();
    assertThat(c.nvidia().deviceSplitCount()).isEqualTo(10);
  }

  @Test
  void readsTheLegacyListFormatWithHamiCoreOff() {
    DeviceConfig c = DeviceConfig.parse("""
        vnpus:
        - chipName: 310P3
          commonWord: Ascend310P
          resourceName: huawei.com/Ascend310P
          resourceMemoryName: huawei.com/Ascend310P-memory
          memoryAllocatable: 21527
          memoryCapacity: 24576
        """, "cm");
    assertThat(c.vnpus().hamiVnpuCore()).isFalse();
    assertThat(c.vnpus().configs()).extracting(VnpuChipConfig::commonWord).containsExactly("Ascend310P");
  }

  @Test
  void withoutAVnpusBlockEveryShippedChipIsConfigured() {
    DeviceConfig c = DeviceConfig.parse("nvidia:\n  deviceSplitCount: 4\n", "cm");
    assertThat(c.vnpus().configs()).extracting(VnpuChipConfig::chipName)
        .containsExactly("910A", "910B2", "910B3", "910B4", "910B4-1", "Ascend910", "310P3");
    assertThat(c.vnpus().configs()).filteredOn(VnpuChipConfig::superPod).extracting(VnpuChipConfig::chipName)
        .containsExactly("Ascend910");
    assertThat(c.vastai().resourceCountName()).isEqualTo("vastaitech.com/va");
  }

  @Test
  void anUnknownChipFailsWithTheKeyNamedAlongsideOtherProblems() {
    assertThatThrownBy(() -> DeviceConfig.parse("""
        vnpus:
          configs:
          - chipName: 910X
            commonWord: Ascend910X
            resourceName: huawei.com/Ascend910X
            resourceMemoryName: huawei.com/Ascend910X-memory
            memoryAllocatable: 65536
            memoryCapacity: 65536
          - chipName: 910C
            commonWord: Ascend910X
            resourceName: huawei.com/Ascend910C
            resourceMemoryName: huawei.com/Ascend910C-memory
            memoryAllocatable: 70000
            memoryCapacity: 65536
        """, "ConfigMap kube-system/volcano-vgpu-device-config"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("ConfigMap kube-system/volcano-vgpu-device-config: ")
        .hasMessageContaining("vnpus.configs[0].chipName: unknown Ascend chip \"910X\" (known: 910A, 910B2")
        .hasMessageContaining("vnpus.configs[1].commonWord Ascend910X is configured twice")
        .hasMessageContaining("vnpus.configs[1].memoryAllocatable must be within 1..65536 MiB, got 70000");
  }

  @Test
  void hamisNewerModeKeyAndSplitCountAreRead() {
    DeviceConfig c = DeviceConfig.parse("vnpus:\n  hamiVnpuMode: hamiCore\n  vnpuDeviceSplitCount: 6\n  configs: []\n",
        "cm");
    assertThat(c.vnpus().hamiVnpuCore()).isTrue();
    assertThat(c.vnpus().vnpuDeviceSplitCount()).isEqualTo(6);
    assertThatThrownBy(() -> DeviceConfig.parse("vnpus:\n  hamiVnpuMode: enpu\n", "cm"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("enpu").hasMessageContaining("not supported");
    assertThatThrownBy(() -> DeviceConfig.parse("vnpus:\n  hamiVnpuMode: soft\n", "cm"))
        .hasMessageContaining("hamiVnpuMode must be template or hami-core");
  }

  @Test
  void withoutConfigsTheShippedChipsTakeTheBlocksModeAndAnEmptyListConfiguresNone() {
    DeviceConfig c = DeviceConfig.parse("vnpus:\n  hamiVnpuCore: true\n", "cm");
    assertThat(c.vnpus().hamiVnpuCore()).isTrue();
    assertThat(c.vnpus().configs()).hasSize(7);
    assertThat(DeviceConfig.parse("vnpus:\n  configs: []\n", "cm").vnpus().configs()).isEmpty();
  }

  @Test
  void aScalarVnpusBlockIsRefusedWithItsName() {
    assertThatThrownBy(() -> DeviceConfig.parse("vnpus: 3\n", "cm"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("vnpus");
  }

  @Test
  void superPodOnAChipWithoutModulesIsRefused() {
    assertThatThrownBy(() -> DeviceConfig.parse("""
        vnpus:
          configs:
          - {chipName: 910B3, commonWord: Ascend910B3, resourceName: huawei.com/Ascend910B3,
             resourceMemoryName: huawei.com/Ascend910B3-memory, memoryAllocatable: 65536, memoryCapacity: 65536,
             superPod: true}
        """, "cm")).hasMessageContaining(
        "vnpus.configs[0].superPod: module pairs exist only on 910C (commonWord Ascend910C), not on Ascend910B3");
  }
}
