package io.github.volcanovgpu.cdi.nvidia;

import io.github.volcanovgpu.cdi.CdiException;
import java.util.HashMap;
import java.util.Map;

/**
 * The capability → minor table of {@code /proc/driver/nvidia-caps/mig-minors} (lines {@code "<cap> <minor>"}, e.g.
 * {@code gpu0/gi1/access 12} and {@code gpu0/gi1/ci0/access 13}), as nvidia-container-toolkit's nvcaps reads it.
 */
public final class MigMinors {
  private final Map<String, Integer> minors;

  private MigMinors(Map<String, Integer> minors) {
    this.minors = Map.copyOf(minors);
  }

  /** Parses the file's content; blank lines are skipped, a malformed line is an error naming it. */
  public static MigMinors parse(String content) {
    Map<String, Integer> out = new HashMap<>();
    String[] lines = content.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = line.split("\\s+");
      try {
        if (parts.length != 2) {
          throw new NumberFormatException();
        }
        int minor = Integer.parseInt(parts[1]);
        if (minor < 0) {
          throw new NumberFormatException();
        }
        out.put(parts[0], minor);
      } catch (NumberFormatException e) {
        throw new CdiException("mig-minors line " + (i + 1) + " \"" + line + "\": expected \"<capability> <minor>\"");
      }
    }
    return new MigMinors(out);
  }

  public int giAccess(int gpuMinor, int gi) {
    return get("gpu" + gpuMinor + "/gi" + gi + "/access");
  }

  public int ciAccess(int gpuMinor, int gi, int ci) {
    return get("gpu" + gpuMinor + "/gi" + gi + "/ci" + ci + "/access");
  }

  private int get(String cap) {
    Integer minor = minors.get(cap);
    if (minor == null) {
      throw new CdiException("no minor for capability " + cap + " in mig-minors");
    }
    return minor;
  }
}
