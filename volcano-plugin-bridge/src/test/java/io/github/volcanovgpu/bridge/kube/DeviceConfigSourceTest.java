package io.github.volcanovgpu.bridge.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.contract.config.ConfigException;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceConfigSourceTest {
  @Test
  void fileIsParsed(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("device-config.yaml"), "nvidia:\n  deviceSplitCount: 4\n");

    DeviceConfig config = DeviceConfigSource.fromFile(file);

    assertThat(config.nvidia().deviceSplitCount()).isEqualTo(4);
  }

  @Test
  void missingFileIsNamedInTheError(@TempDir Path dir) {
    Path missing = dir.resolve("absent.yaml");

    assertThatThrownBy(() -> DeviceConfigSource.fromFile(missing))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(missing + ": cannot read: NoSuchFileException");
  }
}
