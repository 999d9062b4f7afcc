package io.github.volcanovgpu.contract.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Java writer against libvgpu's golden limits files ({@code libvgpu-native/tests/golden}, the same files the C
 * writer and reader are tested against): the same input gives the same bytes.
 */
class LimitsFileTest {
  private static final LimitsFile NPU = LimitsFile.npu(List.of(
      new LimitsFile.Device("3", 16384, 30, "/hami-shared-region/3.sched"),
      new LimitsFile.Device("5", 16384, 30, "/hami-shared-region/5.sched")), "/hami-vnpu-shmem/vnpu.cache");
  private static final LimitsFile CUDA = new LimitsFile(LimitsFile.Kind.CUDA, List.of(
      new LimitsFile.Device("GPU-8a3b2c1d-0000-4000-8000-000000000000", 4096, 30, ""),
      new LimitsFile.Device("GPU-8a3b2c1d-0000-4000-8000-000000000001", 2048, 30, "")),
      1, LimitsFile.CorePolicy.FORCE, false, "/tmp/vgpu/0b7f6a2e-1111-4222-8333-444455556666_main.cache");

  private static final Path GOLDEN = Path.of("..", "libvgpu-native", "tests", "golden");

  private static String golden(String name) throws IOException {
    return Files.readString(GOLDEN.resolve(name), StandardCharsets.UTF_8);
  }

  @Test
  void npuLimitsAreWrittenByteForByteAsTheGolden() throws IOException {
    assertThat(NPU.format()).isEqualTo(golden("limits-v1-npu.txt"));
  }

  @Test
  void cudaLimitsAreWrittenByteForByteAsTheGolden() throws IOException {
    assertThat(CUDA.format()).isEqualTo(golden("limits-v1-cuda.txt"));
  }

  @Test
  void outOfRangeValuesAreRefusedByName() {
    assertThatThrownBy(() -> new LimitsFile.Device("3", 1, 101, "")).hasMessageContaining("core_percent");
    assertThatThrownBy(() -> new LimitsFile.Device("", 1, 1, "")).hasMessageContaining("1..127 bytes");
    assertThatThrownBy(() -> LimitsFile.npu(List.of(), "")).hasMessageContaining("1..16 devices");
    assertThatThrownBy(() -> new LimitsFile(LimitsFile.Kind.CUDA, List.of(new LimitsFile.Device("GPU-a", 1, 1,
        "/x")), 1, LimitsFile.CorePolicy.FORCE, false, "")).hasMessageContaining("npu only");
    assertThatThrownBy(() -> new LimitsFile(LimitsFile.Kind.NPU, List.of(new LimitsFile.Device("0", 1, 1, "")), 1,
        LimitsFile.CorePolicy.FORCE, true, "")).hasMessageContaining("cuda only");
    assertThatThrownBy(() -> LimitsFile.npu(List.of(new LimitsFile.Device("0", 1, 1, "")), "relative/path"))
        .hasMessageContaining("absolute path");
  }

  @Test
  void deviceIdsAreReadBackInDeviceOrderFromTheGolden() throws IOException {
    assertThat(LimitsFile.deviceIds(golden("limits-v1-cuda.txt"))).containsExactly(
        "GPU-8a3b2c1d-0000-4000-8000-000000000000", "GPU-8a3b2c1d-0000-4000-8000-000000000001");
  }

  @Test
  void deviceIdsOfAFileWithoutDevicesAreRefusedByName() {
    assertThatThrownBy(() -> LimitsFile.deviceIds("version=1\n")).hasMessageContaining("\"devices\" must be 1..16");
    assertThatThrownBy(() -> LimitsFile.deviceIds("devices=2\ndevice.0.id=a\n"))
        .hasMessageContaining("\"device.1.id\" is missing");
  }
}
