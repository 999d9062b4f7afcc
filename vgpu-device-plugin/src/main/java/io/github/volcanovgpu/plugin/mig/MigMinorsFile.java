package io.github.volcanovgpu.plugin.mig;

import io.github.volcanovgpu.cdi.CdiException;
import io.github.volcanovgpu.cdi.nvidia.MigMinors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Where the MIG capability minors come from: the driver's {@code /proc/driver/nvidia-caps/mig-minors} (flag
 * {@code --mig-minors}), read again on every inventory, or, for fake machines, a table laid out as the driver lays
 * it out ({@code config 1}, {@code monitor 2}, then per GPU minor 15 GIs of one GI access cap and 8 CI access caps
 * each, starting at 3).
 */
public final class MigMinorsFile {
  /** The driver's file. */
  public static final Path DEFAULT = Path.of("/proc/driver/nvidia-caps/mig-minors");
  private static final int GIS = 15;
  private static final int CIS = 8;

  private MigMinorsFile() {}

  /** Reads and parses {@code file} on every call; a missing or bad file is a {@link CdiException} naming it. */
  public static Supplier<MigMinors> reader(Path file) {
    return () -> {
      String content;
      try {
        content = Files.readString(file);
      } catch (IOException e) {
        throw new CdiException("cannot read the MIG capability minors " + file + " (" + e.getClass().getSimpleName()
            + ": " + e.getMessage() + "); is the NVIDIA driver loaded with MIG support?");
      }
      try {
        return MigMinors.parse(content);
      } catch (CdiException e) {
        throw new CdiException(file + ": " + e.getMessage());
      }
    };
  }

  /** A driver-like table for GPU minors {@code 0..gpus-1}. */
  public static String synthetic(int gpus) {
    StringBuilder out = new StringBuilder("config 1\nmonitor 2\n");
    int minor = 3;
    for (int g = 0; g < gpus; g++) {
      for (int gi = 0; gi < GIS; gi++) {
        out.append("gpu").append(g).append("/gi").append(gi).append("/access ").append(minor++).append('\n');
        for (int ci = 0; ci < CIS; ci++) {
          out.append("gpu").append(g).append("/gi").append(gi).append("/ci").append(ci).append("/access ")
              .append(minor++).append('\n');
        }
      }
    }
    return out.toString();
  }
}
