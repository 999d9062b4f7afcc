package io.github.volcanovgpu.contract.region;

import java.util.List;
import java.util.Locale;

/**
 * The binary layout of libvgpu's shared accounting region, version {@value #MAJOR}.{@value #MINOR}, as the C header
 * {@code libvgpu-native/include/vgpu/region.h} defines it ({@code vgpu_region}, {@code vgpu_slot}; little-endian,
 * LP64). This class is the Java side's only copy of the offsets; it is not trusted on its word: {@link #describe()}
 * prints it in the format of {@code vgpu-region --layout}, which prints the C struct's {@code offsetof}/{@code
 * sizeof}, and both are compared with the same golden file ({@code libvgpu-native/tests/golden/region-layout.txt}) by
 * CTest ({@code region_layout_golden}) and by {@code RegionLayoutTest}.
 */
public final class RegionLayout {
  /** {@code VGPU_REGION_MAGIC}, "VGPUSHR1" read as a little-endian 64-bit integer. */
  public static final long MAGIC = 0x3152485355504756L;
  public static final int MAJOR = 2;
  public static final int MINOR = 0;
  public static final int MAX_DEVICES = 16;
  public static final int MAX_SLOTS = 1024;
  public static final int REGION_SIZE = 156160;
  public static final int SLOT_SIZE = 152;

  /** One field: byte offset in its struct and size in bytes (an array's whole size). */
  public record Field(String struct, String name, int offset, int size) {}

  public static final Field R_MAGIC = new Field("vgpu_region", "magic", 0, 8);
  public static final Field R_MAJOR = new Field("vgpu_region", "major", 8, 4);
  public static final Field R_MINOR = new Field("vgpu_region", "minor", 12, 4);
  public static final Field R_SIZE = new Field("vgpu_region", "size", 16, 8);
  public static final Field R_MAX_DEVICES = new Field("vgpu_region", "max_devices", 24, 4);
  public static final Field R_MAX_SLOTS = new Field("vgpu_region", "max_slots", 28, 4);
  public static final Field R_LIMITS_SET = new Field("vgpu_region", "limits_set", 32, 4);
  public static final Field R_PRIORITY = new Field("vgpu_region", "priority", 36, 4);
  /** uint64 bytes per device, 0 = none. */
  public static final Field R_MEM_LIMIT = new Field("vgpu_region", "mem_limit", 40, 8 * MAX_DEVICES);
  /** uint32 percent per device, 100 = none. */
  public static final Field R_SM_LIMIT = new Field("vgpu_region", "sm_limit", 168, 4 * MAX_DEVICES);
  public static final Field R_UTILIZATION_SWITCH = new Field("vgpu_region", "utilization_switch", 232, 4);
  public static final Field R_BLOCK_LAUNCHES = new Field("vgpu_region", "block_launches", 236, 4);
  /** uint64 epoch seconds of the container's last kernel launch, 0 = none yet. */
  public static final Field R_LAST_KERNEL_TIME = new Field("vgpu_region", "last_kernel_time", 240, 8);
  /** uint64 bytes per device, the sum of the slots' use, kept under the region's lock. */
  public static final Field R_TOTAL_USED = new Field("vgpu_region", "total_used", 248, 8 * MAX_DEVICES);
  public static final Field R_SLOT_HIGH = new Field("vgpu_region", "slot_high", 376, 4);
  public static final Field R_LOCK_BYTES = new Field("vgpu_region", "lock_bytes", 384, 64);
  public static final Field R_SLOTS = new Field("vgpu_region", "slots", 512, SLOT_SIZE * MAX_SLOTS);
  /** int32, 0 = free; the process in the container's PID namespace. */
  public static final Field S_PID = new Field("vgpu_slot", "pid", 0, 4);
  public static final Field S_PRIORITY = new Field("vgpu_slot", "priority", 4, 4);
  public static final Field S_START_TIME = new Field("vgpu_slot", "start_time", 8, 8);
  /** uint64 bytes per device. */
  public static final Field S_USED = new Field("vgpu_slot", "used", 16, 8 * MAX_DEVICES);
  /** int32, the process in the node's PID namespace (what NVML reports), 0 = not discovered. */
  public static final Field S_HOST_PID = new Field("vgpu_slot", "host_pid", 144, 4);

  private static final List<Field> REGION_FIELDS = List.of(R_MAGIC, R_MAJOR, R_MINOR, R_SIZE, R_MAX_DEVICES,
      R_MAX_SLOTS, R_LIMITS_SET, R_PRIORITY, R_MEM_LIMIT, R_SM_LIMIT, R_UTILIZATION_SWITCH, R_BLOCK_LAUNCHES,
      R_LAST_KERNEL_TIME, R_TOTAL_USED, R_SLOT_HIGH, R_LOCK_BYTES, R_SLOTS);
  private static final List<Field> SLOT_FIELDS = List.of(S_PID, S_PRIORITY, S_START_TIME, S_USED, S_HOST_PID);

  private RegionLayout() {}

  /** This layout in the text {@code vgpu-region --layout} prints from the C header. */
  public static String describe() {
    StringBuilder out = new StringBuilder();
    out.append("# libvgpu shared region layout: <name> <offset> <size> (bytes, little-endian, LP64)\n");
    out.append("version ").append(MAJOR).append('.').append(MINOR).append('\n');
    out.append("magic 0x").append(String.format(Locale.ROOT, "%016x", MAGIC)).append('\n');
    out.append("max_devices ").append(MAX_DEVICES).append('\n');
    out.append("max_slots ").append(MAX_SLOTS).append('\n');
    out.append("vgpu_region 0 ").append(REGION_SIZE).append('\n');
    REGION_FIELDS.forEach(f -> line(out, f));
    out.append("vgpu_slot 0 ").append(SLOT_SIZE).append('\n');
    SLOT_FIELDS.forEach(f -> line(out, f));
    return out.toString();
  }

  private static void line(StringBuilder out, Field f) {
    out.append(f.struct()).append('.').append(f.name()).append(' ').append(f.offset()).append(' ').append(f.size())
        .append('\n');
  }
}
