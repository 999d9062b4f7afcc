package io.github.volcanovgpu.plugin.monitor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Whether a region's process still runs, seen from the node: its host PID exists under the proc root and, when the
 * region recorded one, has the same start time ({@code /proc/<pid>/stat} field 22, clock ticks since boot: the same
 * number in every PID namespace), so a reused PID is not mistaken for it. libvgpu frees a killed process's slot only
 * when another process of the container next takes the lock; the monitor must not count it meanwhile.
 */
public interface ProcessTable {
  /**
   * @param hostPid the process in the node's PID namespace, > 0
   * @param startTime the region's record of its start time, 0 = not recorded
   */
  boolean isAlive(int hostPid, long startTime);

  /** The node's processes under {@code procRoot} ({@code /proc} with {@code hostPID: true}). */
  static ProcessTable proc(Path procRoot) {
    return (pid, startTime) -> {
      try {
        String stat = Files.readString(procRoot.resolve(Integer.toString(pid)).resolve("stat"),
            StandardCharsets.US_ASCII);
        int close = stat.lastIndexOf(')');
        String[] f = stat.substring(close + 2).split(" ");
        // f[0] is field 3 (state); field 22 (starttime) is f[19]
        if (f.length < 20 || f[0].equals("Z") || f[0].equals("X")) {
          return false;
        }
        return startTime == 0 || Long.parseLong(f[19]) == startTime;
      } catch (NoSuchFileException e) {
        return false;
      } catch (IOException | RuntimeException e) {
        return true; // cannot tell: keep it rather than hide a live process's memory
      }
    };
  }
}
