package io.github.volcanovgpu.contract.region;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The Java layout against the golden that CTest ({@code region_layout_golden}) checks {@code vgpu-region --layout}
 * (the C struct's offsetof/sizeof) against: both sides agree byte for byte or both fail.
 */
class RegionLayoutTest {
  private static final Path GOLDEN = Path.of("..", "libvgpu-native", "tests", "golden", "region-layout.txt");

  @Test
  void javaLayoutIsTheCHeadersLayoutAsPinnedByTheGolden() throws IOException {
    assertThat(RegionLayout.describe()).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
  }

  @Test
  void slotsFillTheRegionAfterTheHeader() {
    assertThat(RegionLayout.R_SLOTS.offset() + RegionLayout.R_SLOTS.size()).isEqualTo(RegionLayout.REGION_SIZE);
    assertThat(RegionLayout.S_HOST_PID.offset() + 8).isEqualTo(RegionLayout.SLOT_SIZE);
  }
}
