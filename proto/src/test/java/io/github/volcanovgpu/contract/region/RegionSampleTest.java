package io.github.volcanovgpu.contract.region;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A region written by libvgpu's own C code ({@code vgpu-region --write-sample}: open, register, charge 300 MiB on
 * device 0 and 64 MiB on device 1, host PID 4001; pid and start time then fixed), kept as its non-zero 64-bit words
 * in {@code libvgpu-native/tests/golden/region-sample.txt} (CTest {@code region_sample_golden} checks the C side
 * still writes exactly these bytes), decoded here.
 */
class RegionSampleTest {
  private static final Path GOLDEN = Path.of("..", "libvgpu-native", "tests", "golden", "region-sample.txt");
  private static final long MIB = 1L << 20;
  private static ByteBuffer bytes;
  private static List<Integer> offsets;

  @BeforeAll
  static void load() throws IOException {
    bytes = ByteBuffer.allocate(RegionLayout.REGION_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    offsets = new java.util.ArrayList<>();
    for (String line : Files.readAllLines(GOLDEN, StandardCharsets.US_ASCII)) {
      String[] f = line.split(" ");
      int off = Integer.parseInt(f[0]);
      bytes.putLong(off, Long.parseUnsignedLong(f[1], 16));
      offsets.add(off);
    }
  }

  @Test
  void theJavaDecoderReadsWhatTheCLibraryWrote() {
    RegionSnapshot r = RegionDecoder.decode(bytes, "region-sample");

    assertThat(r.priority()).isEqualTo(1);
    assertThat(r.lastKernelEpochSeconds()).isEqualTo(1_760_000_000L);
    assertThat(r.device(0)).isEqualTo(new RegionSnapshot.Device(0, 1024 * MIB, 30, 300 * MIB));
    assertThat(r.device(1)).isEqualTo(new RegionSnapshot.Device(1, 512 * MIB, 30, 64 * MIB));
    assertThat(r.device(2)).isEqualTo(new RegionSnapshot.Device(2, 0, 100, 0));
    assertThat(r.processes()).singleElement().satisfies(p -> {
      assertThat(p.slot()).isZero();
      assertThat(p.pid()).isEqualTo(4242);
      assertThat(p.hostPid()).isEqualTo(4001);
      assertThat(p.startTime()).isEqualTo(123456);
      assertThat(p.memoryUsedBytes().subList(0, 3)).containsExactly(300 * MIB, 64 * MIB, 0L);
    });
  }

  @Test
  void everyByteTheCLibraryWroteLiesInAFieldTheJavaLayoutNames() {
    List<RegionLayout.Field> header = List.of(RegionLayout.R_MAGIC, RegionLayout.R_MAJOR, RegionLayout.R_MINOR,
        RegionLayout.R_SIZE, RegionLayout.R_MAX_DEVICES, RegionLayout.R_MAX_SLOTS, RegionLayout.R_LIMITS_SET,
        RegionLayout.R_PRIORITY, RegionLayout.R_MEM_LIMIT, RegionLayout.R_SM_LIMIT,
        RegionLayout.R_UTILIZATION_SWITCH, RegionLayout.R_BLOCK_LAUNCHES, RegionLayout.R_LAST_KERNEL_TIME,
        RegionLayout.R_TOTAL_USED, RegionLayout.R_SLOT_HIGH);
    List<RegionLayout.Field> slot = List.of(RegionLayout.S_PID, RegionLayout.S_PRIORITY, RegionLayout.S_START_TIME,
        RegionLayout.S_USED, RegionLayout.S_HOST_PID);
    for (int off : offsets) {
      boolean known;
      if (off >= RegionLayout.R_SLOTS.offset()) {
        int in = (off - RegionLayout.R_SLOTS.offset()) % RegionLayout.SLOT_SIZE;
        known = slot.stream().anyMatch(f -> overlaps(f, in));
      } else {
        known = header.stream().anyMatch(f -> overlaps(f, off));
      }
      assertThat(known).as("word at offset %d", off).isTrue();
    }
  }

  /** Whether the 8-byte word at {@code off} holds (part of) field {@code f}. */
  private static boolean overlaps(RegionLayout.Field f, int off) {
    return off < f.offset() + f.size() && f.offset() < off + 8;
  }
}
