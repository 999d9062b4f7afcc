package io.github.volcanovgpu.contract.annotation;

import io.github.volcanovgpu.contract.device.GpuMode;
import io.github.volcanovgpu.contract.device.RegisteredGpu;
import java.util.ArrayList;
import java.util.List;

/**
 * Codec of {@value VgpuAnnotations#NODE_REGISTER}: one record per GPU, six comma-separated fields
 * ({@code uuid,splitCount,memory,type,health,mode}), every record terminated by {@code ':'}.
 *
 * <p>Example: {@code GPU-aaa,10,40960,NVIDIA-NVIDIA A100-PCIE-40GB,true,hami-core:}. Decoding follows Volcano's
 * rules (a record with fewer than six fields rejects the whole annotation) and is stricter where Volcano silently
 * read garbage as zero: non-numeric counts, negative values and unknown health words are rejected with a reason.
 */
public final class NodeRegistrationCodec {
  private NodeRegistrationCodec() {}

  /** Encodes in the given order; indexes are not written (they are the position). */
  public static String encode(List<RegisteredGpu> gpus) {
    StringBuilder sb = new StringBuilder(gpus.size() * 96);
    for (RegisteredGpu g : gpus) {
      requireNoSeparator(g.uuid(), "uuid");
      requireNoSeparator(g.type(), "type");
      sb.append(g.uuid())
          .append(',')
          .append(g.splitCount())
          .append(',')
          .append(g.memoryUnits())
          .append(',')
          .append(g.type())
          .append(',')
          .append(g.healthy())
          .append(',')
          .append(g.mode().wireName())
          .append(':');
    }
    return sb.toString();
  }

  /**
   * Decodes the annotation value.
   *
   * @throws AnnotationFormatException naming the record and field that is malformed
   */
  public static List<RegisteredGpu> decode(String value) {
    if (value.indexOf(':') < 0) {
      throw new AnnotationFormatException(
          VgpuAnnotations.NODE_REGISTER + ": no ':'-terminated GPU record in \"" + abbreviate(value) + "\"");
    }
    List<RegisteredGpu> gpus = new ArrayList<>();
    String[] records = value.split(":", -1);
    for (String record : records) {
      if (record.indexOf(',') < 0) {
        if (!record.isBlank()) {
          throw new AnnotationFormatException(
              VgpuAnnotations.NODE_REGISTER + ": record \"" + abbreviate(record) + "\" has no fields");
        }
        continue;
      }
      gpus.add(decodeRecord(record, gpus.size()));
    }
    if (gpus.isEmpty()) {
      throw new AnnotationFormatException(VgpuAnnotations.NODE_REGISTER + ": no GPU records");
    }
    return List.copyOf(gpus);
  }

  private static RegisteredGpu decodeRecord(String record, int index) {
    String[] f = record.split(",", -1);
    String where = VgpuAnnotations.NODE_REGISTER + " record " + index + " (\"" + abbreviate(record) + "\")";
    if (f.length < 6) {
      throw new AnnotationFormatException(
          where + ": expected 6 fields uuid,split,memory,type,health,mode, got " + f.length);
    }
    String uuid = f[0].trim();
    if (uuid.isEmpty()) {
      throw new AnnotationFormatException(where + ": empty uuid");
    }
    int split = (int) parseNonNegative(f[1], where, "split count", Integer.MAX_VALUE);
    long memory = parseNonNegative(f[2], where, "memory", Long.MAX_VALUE);
    String type = f[3];
    boolean healthy =
        switch (f[4].trim().toLowerCase(java.util.Locale.ROOT)) {
          case "true" -> true;
          case "false" -> false;
          default -> throw new AnnotationFormatException(
              where + ": health must be true or false, got \"" + f[4] + "\"");
        };
    GpuMode mode = GpuMode.fromWire(f[5]);
    return new RegisteredGpu(uuid, index, split, memory, type, healthy, mode);
  }

  private static long parseNonNegative(String raw, String where, String field, long max) {
    String s = raw.trim();
    long v;
    try {
      v = Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new AnnotationFormatException(where + ": " + field + " is not a whole number: \"" + raw + "\"");
    }
    if (v < 0 || v > max) {
      throw new AnnotationFormatException(where + ": " + field + " out of range: " + v);
    }
    return v;
  }

  private static void requireNoSeparator(String s, String field) {
    if (s.indexOf(',') >= 0 || s.indexOf(':') >= 0) {
      throw new IllegalArgumentException(field + " must not contain ',' or ':': " + s);
    }
  }

  static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }
}
