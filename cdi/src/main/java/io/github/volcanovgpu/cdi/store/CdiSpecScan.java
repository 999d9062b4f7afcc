package io.github.volcanovgpu.cdi.store;

import io.github.volcanovgpu.cdi.CdiCodec;
import io.github.volcanovgpu.cdi.CdiException;
import io.github.volcanovgpu.cdi.CdiSpec;
import io.github.volcanovgpu.cdi.Kind;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The devices of one kind as a runtime would load them from spec directories (e.g. {@code /etc/cdi},
 * {@code /var/run/cdi}): every {@code .json}/{@code .yaml} file, not recursing; a file that does not load is skipped
 * with a warning, as the runtimes' cache does.
 */
public final class CdiSpecScan {
  private static final Logger LOG = LoggerFactory.getLogger(CdiSpecScan.class);

  private CdiSpecScan() {}

  /** The names of the devices of {@code kind} in {@code dirs}. */
  public static Set<String> deviceNames(List<Path> dirs, Kind kind, CdiCodec codec) {
    Set<String> out = new TreeSet<>();
    for (Path dir : dirs) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
        for (Path f : files) {
          String name = f.getFileName().toString();
          if (!Files.isRegularFile(f) || !(name.endsWith(".json") || name.endsWith(".yaml"))) {
            continue;
          }
          try {
            CdiSpec spec = codec.read(Files.readString(f), CdiCodec.Format.ofFileName(name), f.toString());
            if (spec.kind().equals(kind.toString())) {
              out.addAll(spec.deviceNames());
            }
          } catch (IOException | CdiException e) {
            LOG.warn("CDI spec {} skipped: {}", f, e.getMessage());
          }
        }
      } catch (IOException e) {
        LOG.warn("CDI spec directory {} not readable: {}", dir, e.getMessage());
      }
    }
    return out;
  }
}
