package io.github.volcanovgpu.contract.env;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The container limits file, version 1, that the device plugin writes per container and mounts read-only at
 * {@link #CONTAINER_PATH}; libvgpu takes its limits from it, environment variables can only lower them. Format and
 * rules: {@code libvgpu-native/docs/limits-file.md}, one C definition in {@code include/vgpu/limits_file.h}; the
 * canonical bytes ({@link #format()}) are pinned by the same golden files on both sides.
 *
 * @param devices 1..16, in the container's device order
 * @param priority 0..1000, 0 = high (default 1)
 * @param region the container's accounting region (cuda: the shared-cache file, npu: the local shmem file); empty =
 *     not set
 */
public record LimitsFile(Kind kind, List<Device> devices, int priority, CorePolicy corePolicy, boolean oversubscribe,
    String region) {
  /** Where the file is mounted in the container (libvgpu's default path). */
  public static final String CONTAINER_PATH = "/etc/vgpu/limits";
  /**
   * The file's path when {@link #CONTAINER_PATH} does not exist (tests and tools on a host: the stubs, the probes);
   * libvgpu ignores it while the mounted file exists.
   */
  public static final String OVERRIDE_ENV = "VGPU_LIMITS_FILE";
  public static final int VERSION = 1;
  public static final int MAX_DEVICES = 16;
  public static final int DEFAULT_PRIORITY = 1;

  /** Which libvgpu front end the limits are for. */
  public enum Kind {
    CUDA, NPU;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** {@code force}: always throttle; {@code default}: throttle while the region's utilization switch is set. */
  public enum CorePolicy {
    FORCE, DEFAULT;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One device of the container.
   *
   * @param id the GPU UUID (cuda) or the physical NPU id of {@code ASCEND_VISIBLE_DEVICES} (npu); 1..127 bytes
   * @param memoryMib the memory limit, 0 = none
   * @param corePercent 0..100; 0 and 100 = no limit
   * @param scheduler npu: the card's time-slice registry (node-global); empty = none
   */
  public record Device(String id, long memoryMib, int corePercent, String scheduler) {
    public Device {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(scheduler, "scheduler");
      int bytes = id.getBytes(StandardCharsets.UTF_8).length;
      if (bytes < 1 || bytes > 127 || id.contains("\n") || id.contains("\r")) {
        throw new IllegalArgumentException("device id must be 1..127 bytes without line breaks: \"" + id + "\"");
      }
      if (memoryMib < 0) {
        throw new IllegalArgumentException("memory_mib must be >= 0, got " + memoryMib);
      }
      if (corePercent < 0 || corePercent > 100) {
        throw new IllegalArgumentException("core_percent must be 0..100, got " + corePercent);
      }
      checkPath("scheduler", scheduler);
    }
  }

  public LimitsFile {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(corePolicy, "corePolicy");
    Objects.requireNonNull(region, "region");
    devices = List.copyOf(devices);
    if (devices.isEmpty() || devices.size() > MAX_DEVICES) {
      throw new IllegalArgumentException("a limits file lists 1.." + MAX_DEVICES + " devices, got " + devices.size());
    }
    if (priority < 0 || priority > 1000) {
      throw new IllegalArgumentException("priority must be 0..1000, got " + priority);
    }
    if (kind == Kind.CUDA && devices.stream().anyMatch(d -> !d.scheduler().isEmpty())) {
      throw new IllegalArgumentException("device scheduler paths are for kind npu only");
    }
    if (kind == Kind.NPU && oversubscribe) {
      throw new IllegalArgumentException("oversubscribe is for kind cuda only");
    }
    checkPath("region", region);
  }

  /** NPU limits with the defaults: priority 1, core policy force. */
  public static LimitsFile npu(List<Device> devices, String region) {
    return new LimitsFile(Kind.NPU, devices, DEFAULT_PRIORITY, CorePolicy.FORCE, false, region);
  }

  /** The canonical text: every line {@code key=value} LF-terminated, in the documented order. */
  public String format() {
    List<String> lines = new ArrayList<>();
    lines.add("version=" + VERSION);
    lines.add("kind=" + kind.wireName());
    lines.add("devices=" + devices.size());
    for (int i = 0; i < devices.size(); i++) {
      Device d = devices.get(i);
      lines.add("device." + i + ".id=" + d.id());
      lines.add("device." + i + ".memory_mib=" + d.memoryMib());
      lines.add("device." + i + ".core_percent=" + d.corePercent());
      if (!d.scheduler().isEmpty()) {
        lines.add("device." + i + ".scheduler=" + d.scheduler());
      }
    }
    lines.add("priority=" + priority);
    lines.add("core_policy=" + corePolicy.wireName());
    lines.add("oversubscribe=" + oversubscribe);
    if (!region.isEmpty()) {
      lines.add("region=" + region);
    }
    return String.join("\n", lines) + "\n";
  }

  /**
   * The device ids of a limits file's text, in the container's device order (index {@code i} is logical device
   * {@code i}, as in the region): what a node reader needs to name a region's devices by card.
   *
   * @throws IllegalArgumentException naming the line when {@code devices=} or a {@code device.<i>.id} is missing or
   *     malformed
   */
  public static List<String> deviceIds(String text) {
    Map<String, String> values = new HashMap<>();
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        values.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    String count = values.get("devices");
    if (count == null || !count.matches("\\d{1,2}") || Integer.parseInt(count) < 1
        || Integer.parseInt(count) > MAX_DEVICES) {
      throw new IllegalArgumentException("limits file: \"devices\" must be 1.." + MAX_DEVICES + ", got "
          + (count == null ? "nothing" : "\"" + count + "\""));
    }
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < Integer.parseInt(count); i++) {
      String id = values.get("device." + i + ".id");
      if (id == null || id.isEmpty()) {
        throw new IllegalArgumentException("limits file: \"device." + i + ".id\" is missing");
      }
      ids.add(id);
    }
    return List.copyOf(ids);
  }

  private static void checkPath(String what, String path) {
    if (path.contains("\n") || path.contains("\r") || (!path.isEmpty() && !path.startsWith("/"))) {
      throw new IllegalArgumentException(what + " must be an absolute path without line breaks: \"" + path + "\"");
    }
  }
}
