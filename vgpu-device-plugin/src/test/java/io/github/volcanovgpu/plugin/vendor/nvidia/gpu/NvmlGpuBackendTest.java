package io.github.volcanovgpu.plugin.vendor.nvidia.gpu;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.github.volcanovgpu.plugin.device.DiscoveryException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NvmlGpuBackendTest {
  @TempDir
  Path driverRoot;

  @Test
  void withoutTheDriverDiscoveryFailsWithAMessageNamingTheLibrary() {
    assumeFalse(Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1")),
        "this machine has an NVIDIA driver; the no-driver path cannot be exercised here");
    try (NvmlGpuBackend backend = new NvmlGpuBackend(driverRoot, Clock.systemUTC())) {
      assertThatThrownBy(backend::discover)
          .isInstanceOf(DiscoveryException.class)
          .hasMessageContaining("libnvidia-ml.so.1")
          .hasMessageContaining(driverRoot.toString())
          .hasMessageContaining("--fake-gpus");
    }
  }
}
