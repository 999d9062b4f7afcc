package io.github.volcanovgpu.contract.region;

import static io.github.volcanovgpu.contract.region.RegionLayout.MAX_DEVICES;
import static io.github.volcanovgpu.contract.region.RegionLayout.MAX_SLOTS;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decodes a region's bytes (a mapped file, read while its processes write) into a {@link RegionSnapshot}. Pure: no
 * locking (a node reader must never block the container's processes); each 4- and 8-byte field is read with one
 * aligned load, so a value is never torn, though two fields may be from moments apart, as HAMi's monitor reads.
 */
public final class RegionDecoder {
  private RegionDecoder() {}

  /**
   * @param bytes the region from position 0 (its position and order are not changed)
   * @param source names the file in error messages
   * @throws RegionFormatException naming {@code source} when it is not a version {@value RegionLayout#MAJOR}.x
   *     region of this layout
   */
  public static RegionSnapshot decode(ByteBuffer bytes, String source) {
    ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (b.capacity() < RegionLayout.REGION_SIZE) {
      throw new RegionFormatException(source + " is " + b.capacity() + " bytes, a version " + RegionLayout.MAJOR
          + "." + RegionLayout.MINOR + " libvgpu region is " + RegionLayout.REGION_SIZE);
    }
    long magic = b.getLong(RegionLayout.R_MAGIC.offset());
    if (magic == 0) {
      throw new RegionFormatException(source + " is not initialised yet (magic 0)");
    }
    if (magic != RegionLayout.MAGIC) {
      throw new RegionFormatException(source + " is not a libvgpu region (magic 0x"
          + String.format(Locale.ROOT, "%016x", magic) + ")");
    }
    int major = b.getInt(RegionLayout.R_MAJOR.offset());
    int minor = b.getInt(RegionLayout.R_MINOR.offset());
    long size = b.getLong(RegionLayout.R_SIZE.offset());
    if (major != RegionLayout.MAJOR || size != RegionLayout.REGION_SIZE
        || b.getInt(RegionLayout.R_MAX_DEVICES.offset()) != MAX_DEVICES
        || b.getInt(RegionLayout.R_MAX_SLOTS.offset()) != MAX_SLOTS) {
      throw new RegionFormatException(source + " is a libvgpu region version " + Integer.toUnsignedString(major) + "."
          + Integer.toUnsignedString(minor) + " of " + size + " bytes; this reader knows version "
          + RegionLayout.MAJOR + ".x of " + RegionLayout.REGION_SIZE + " bytes");
    }
    List<RegionSnapshot.Device> devices = new ArrayList<>(MAX_DEVICES);
    for (int d = 0; d < MAX_DEVICES; d++) {
      devices.add(new RegionSnapshot.Device(d, b.getLong(RegionLayout.R_MEM_LIMIT.offset() + 8 * d),
          b.getInt(RegionLayout.R_SM_LIMIT.offset() + 4 * d), b.getLong(RegionLayout.R_TOTAL_USED.offset() + 8 * d)));
    }
    int high = (int) Math.min(Integer.toUnsignedLong(b.getInt(RegionLayout.R_SLOT_HIGH.offset())), MAX_SLOTS);
    List<RegionSnapshot.Process> processes = new ArrayList<>();
    for (int i = 0; i < high; i++) {
      int slot = RegionLayout.R_SLOTS.offset() + i * RegionLayout.SLOT_SIZE;
      int pid = b.getInt(slot + RegionLayout.S_PID.offset());
      if (pid <= 0) {
        continue;
      }
      List<Long> used = new ArrayList<>(MAX_DEVICES);
      for (int d = 0; d < MAX_DEVICES; d++) {
        used.add(b.getLong(slot + RegionLayout.S_USED.offset() + 8 * d));
      }
      processes.add(new RegionSnapshot.Process(i, pid, b.getInt(slot + RegionLayout.S_HOST_PID.offset()),
          b.getLong(slot + RegionLayout.S_START_TIME.offset()), used));
    }
    return new RegionSnapshot(b.getInt(RegionLayout.R_PRIORITY.offset()),
        b.getLong(RegionLayout.R_LAST_KERNEL_TIME.offset()), devices, processes);
  }
}
