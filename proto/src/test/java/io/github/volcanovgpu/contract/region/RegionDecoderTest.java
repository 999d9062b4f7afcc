package io.github.volcanovgpu.contract.region;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Regions laid out by {@link RegionLayout}'s offsets (which the golden pins to the C header), decoded. */
class RegionDecoderTest {
  private static ByteBuffer region() {
    ByteBuffer b = ByteBuffer.allocate(RegionLayout.REGION_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(RegionLayout.R_MAGIC.offset(), RegionLayout.MAGIC);
    b.putInt(RegionLayout.R_MAJOR.offset(), RegionLayout.MAJOR);
    b.putInt(RegionLayout.R_MINOR.offset(), RegionLayout.MINOR);
    b.putLong(RegionLayout.R_SIZE.offset(), RegionLayout.REGION_SIZE);
    b.putInt(RegionLayout.R_MAX_DEVICES.offset(), RegionLayout.MAX_DEVICES);
    b.putInt(RegionLayout.R_MAX_SLOTS.offset(), RegionLayout.MAX_SLOTS);
    return b;
  }

  private static void slot(ByteBuffer b, int index, int pid, int hostPid, int device, long used) {
    int at = RegionLayout.R_SLOTS.offset() + index * RegionLayout.SLOT_SIZE;
    b.putInt(at + RegionLayout.S_PID.offset(), pid);
    b.putInt(at + RegionLayout.S_HOST_PID.offset(), hostPid);
    b.putLong(at + RegionLayout.S_USED.offset() + 8 * device, used);
  }

  @Test
  void decodesLimitsUseLastKernelAndLiveSlots() {
    ByteBuffer b = region();
    b.putLong(RegionLayout.R_MEM_LIMIT.offset() + 8, 4L << 30);
    b.putInt(RegionLayout.R_SM_LIMIT.offset() + 4, 30);
    b.putLong(RegionLayout.R_TOTAL_USED.offset() + 8, 3L << 20);
    b.putLong(RegionLayout.R_LAST_KERNEL_TIME.offset(), 1_760_000_000L);
    b.putInt(RegionLayout.R_SLOT_HIGH.offset(), 3);
    slot(b, 0, 17, 4017, 1, 1L << 20);
    slot(b, 2, 19, 0, 1, 2L << 20); // slot 1 free

    RegionSnapshot s = RegionDecoder.decode(b, "r.cache");

    assertThat(s.device(1)).isEqualTo(new RegionSnapshot.Device(1, 4L << 30, 30, 3L << 20));
    assertThat(s.lastKernelEpochSeconds()).isEqualTo(1_760_000_000L);
    assertThat(s.processes()).extracting(RegionSnapshot.Process::slot, RegionSnapshot.Process::pid,
        RegionSnapshot.Process::hostPid).containsExactly(
            org.assertj.core.groups.Tuple.tuple(0, 17, 4017), org.assertj.core.groups.Tuple.tuple(2, 19, 0));
    assertThat(s.processes().get(1).memoryUsedBytes().get(1)).isEqualTo(2L << 20);
  }

  @Test
  void slotHighBeyondTheSlotsIsClamped() {
    ByteBuffer b = region();
    b.putInt(RegionLayout.R_SLOT_HIGH.offset(), -1);
    slot(b, RegionLayout.MAX_SLOTS - 1, 5, 0, 0, 1);
    assertThat(RegionDecoder.decode(b, "r").processes()).hasSize(1);
  }

  @Test
  void foreignShortUninitialisedAndOtherVersionFilesAreRefusedByName() {
    assertThatThrownBy(() -> RegionDecoder.decode(ByteBuffer.allocate(100), "a.cache"))
        .isInstanceOf(RegionFormatException.class).hasMessage("a.cache is 100 bytes, a version 2.0 libvgpu region is"
            + " 156160");
    assertThatThrownBy(() -> RegionDecoder.decode(ByteBuffer.allocate(RegionLayout.REGION_SIZE), "b.cache"))
        .hasMessage("b.cache is not initialised yet (magic 0)");
    ByteBuffer foreign = region();
    foreign.putLong(0, 19920718L);
    assertThatThrownBy(() -> RegionDecoder.decode(foreign, "c.cache"))
        .hasMessage("c.cache is not a libvgpu region (magic 0x00000000012ff74e)");
    ByteBuffer v3 = region();
    v3.putInt(RegionLayout.R_MAJOR.offset(), 3);
    assertThatThrownBy(() -> RegionDecoder.decode(v3, "d.cache"))
        .hasMessage("d.cache is a libvgpu region version 3.0 of 156160 bytes; this reader knows version 2.x of"
            + " 156160 bytes");
  }
}
