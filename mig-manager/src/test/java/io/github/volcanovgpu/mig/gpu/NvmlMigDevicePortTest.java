package io.github.volcanovgpu.mig.gpu;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.github.volcanovgpu.mig.profile.ProfileCatalogue;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NvmlMigDevicePortTest {
  @Test
  void withoutADriverOpeningIsAClearError() {
    assumeFalse(Files.exists(Path.of("/dev/nvidiactl")), "a GPU driver is present");
    assertThatThrownBy(() -> NvmlMigDevicePort.open(Path.of("/nonexistent"), ProfileCatalogue.builtIn()))
        .isInstanceOf(MigPortException.class)
        .hasMessageStartingWith("cannot load libnvidia-ml.so.1")
        .hasMessageContaining("--fake-gpus")
        .satisfies(e -> org.assertj.core.api.Assertions.assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
