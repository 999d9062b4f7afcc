package io.github.volcanovgpu.contract.annotation;

import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.PodDevices;
import java.util.ArrayList;
import java.util.List;

/**
 * Codec of the pod device lists: per device {@code UUID,TYPE,USEDMEM,USEDCORES:}, devices of one container
 * concatenated. Two framings of the containers exist on the wire:
 *
 * <ul>
 *   <li>Volcano's vGPU ({@value VgpuAnnotations#VGPU_IDS_NEW}, {@value VgpuAnnotations#DEVICES_TO_ALLOCATE}):
 *       containers joined by {@code ';'}, no trailing one ({@link #encode}), e.g.
 *       {@code GPU-aaa,NVIDIA,2000,0:;GPU-bbb,NVIDIA,3000,0:};
 *   <li>HAMi's ({@code hami.io/<CommonWord>-devices-to-allocate} / {@code -allocated}, Volcano's
 *       {@code EncodePodSingleDevice}): every container terminated by {@code ';'} ({@link #encodeHami}), e.g.
 *       {@code 0-npu,Ascend910C,16384,50:;}.
 * </ul>
 */
public final class PodDevicesCodec {
  private PodDevicesCodec() {}

  public static String encode(PodDevices devices) {
    StringBuilder sb = new StringBuilder(64);
    List<List<DeviceSlice>> containers = devices.containers();
    for (int i = 0; i < containers.size(); i++) {
      if (i > 0) {
        sb.append(';');
      }
      for (DeviceSlice d : containers.get(i)) {
        sb.append(d.uuid())
            .append(',')
            .append(d.type())
            .append(',')
            .append(d.memoryUnits())
            .append(',')
            .append(d.coresPercent())
            .append(':');
      }
    }
    return sb.toString();
  }

  /** HAMi's framing: every container's devices followed by {@code ';'}. */
  public static String encodeHami(PodDevices devices) {
    String joined = encode(devices);
    return devices.containers().isEmpty() ? "" : joined + ';';
  }

  /** Lenient decoding of HAMi's framing: as {@link #decodeLenient}, without the entry after the final ';'. */
  public static PodDevices decodeHamiLenient(String value) {
    return decodeLenient(value.endsWith(";") ? value.substring(0, value.length() - 1) : value);
  }

  /**
   * Lenient decoding as Volcano's ledger does: pieces without ',' are ignored, entries with fewer than four
   * fields or non-numeric / negative numbers are skipped. Empty container entries are kept (position matters).
   */
  public static PodDevices decodeLenient(String value) {
    return decode(value, false);
  }

  /**
   * Strict decoding for values this product wrote itself: any malformed entry is an error.
   *
   * @throws AnnotationFormatException naming the malformed entry
   */
  public static PodDevices decodeStrict(String value) {
    return decode(value, true);
  }

  private static PodDevices decode(String value, boolean strict) {
    if (value.isEmpty()) {
      return PodDevices.empty();
    }
    List<List<DeviceSlice>> containers = new ArrayList<>();
    for (String container : value.split(";", -1)) {
      List<DeviceSlice> slices = new ArrayList<>();
      for (String entry : container.split(":", -1)) {
        if (entry.indexOf(',') < 0) {
          if (strict && !entry.isBlank()) {
            throw new AnnotationFormatException("device entry \"" + entry + "\" has no fields");
          }
          continue;
        }
        DeviceSlice slice = decodeEntry(entry);
        if (slice != null) {
          slices.add(slice);
        } else if (strict) {
          throw new AnnotationFormatException(
              "device entry \"" + NodeRegistrationCodec.abbreviate(entry)
                  + "\" is not UUID,TYPE,MEMORY,CORES with non-negative whole numbers");
        }
      }
      containers.add(slices);
    }
    return new PodDevices(containers);
  }

  private static DeviceSlice decodeEntry(String entry) {
    String[] f = entry.split(",", -1);
    if (f.length < 4 || f[0].isEmpty()) {
      return null;
    }
    try {
      long mem = Long.parseLong(f[2].trim());
      long cores = Long.parseLong(f[3].trim());
      if (mem < 0 || cores < 0 || cores > Integer.MAX_VALUE) {
        return null;
      }
      return new DeviceSlice(f[0], f[1], mem, (int) cores);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
