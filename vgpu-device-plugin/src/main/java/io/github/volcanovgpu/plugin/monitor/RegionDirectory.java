package io.github.volcanovgpu.plugin.monitor;

import io.github.volcanovgpu.contract.env.LimitsFile;
import io.github.volcanovgpu.contract.region.RegionDecoder;
import io.github.volcanovgpu.contract.region.RegionFormatException;
import io.github.volcanovgpu.contract.region.RegionLayout;
import io.github.volcanovgpu.contract.region.RegionSnapshot;
import io.github.volcanovgpu.plugin.allocate.ContainerAssignment;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The containers' regions on this node, as the device plugin's Allocate lays them out: {@code
 * <cacheRoot>/<podUID>_<container>/<podUID>_<container>.cache} (the container's {@code /tmp/vgpu}), with its limits
 * file and pod file in {@code <limitsRoot>/<podUID>_<container>/}. Each region is mapped read-only once and kept
 * mapped while its file stays the same (same inode); a read never takes the region's lock. Not thread-safe: one
 * reader at a time (the monitor serialises reads).
 */
public final class RegionDirectory {
  private static final Logger LOG = LoggerFactory.getLogger(RegionDirectory.class);

  private final Path cacheRoot;
  private final Path limitsRoot;
  private final ProcessTable processes;
  private final Map<Path, Mapped> mapped = new HashMap<>();
  private final Map<Path, String> reported = new HashMap<>();

  private record Mapped(Object fileKey, MappedByteBuffer bytes) {}

  /** One read: the regions, and one line per directory that could not be read (also logged once per problem). */
  public record Scan(List<ContainerRegion> regions, List<String> problems) {
    public Scan {
      regions = List.copyOf(regions);
      problems = List.copyOf(problems);
    }
  }

  public RegionDirectory(Path cacheRoot, Path limitsRoot, ProcessTable processes) {
    this.cacheRoot = Objects.requireNonNull(cacheRoot, "cacheRoot");
    this.limitsRoot = Objects.requireNonNull(limitsRoot, "limitsRoot");
    this.processes = Objects.requireNonNull(processes, "processes");
  }

  public Scan scan() {
    List<ContainerRegion> regions = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Map<Path, Mapped> seen = new HashMap<>();
    if (Files.isDirectory(cacheRoot)) {
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(cacheRoot, Files::isDirectory)) {
        for (Path dir : dirs) {
          String name = dir.getFileName().toString();
          int cut = name.indexOf('_');
          if (cut <= 0 || cut == name.length() - 1) {
            continue; // not a <podUID>_<container> directory
          }
          Path file = dir.resolve(name + ".cache");
          if (!Files.exists(file)) {
            continue; // no CUDA process has run in the container yet
          }
          try {
            regions.add(read(file, name.substring(0, cut), name.substring(cut + 1), seen));
            reported.remove(dir);
          } catch (IOException | RegionFormatException | IllegalArgumentException e) {
            String problem = name + ": " + describe(e);
            problems.add(problem);
            if (!problem.equals(reported.put(dir, problem))) {
              LOG.warn("skipping container region {}", problem);
            }
          }
        }
      } catch (IOException e) {
        problems.add("cannot list " + cacheRoot + ": " + e.getMessage());
      }
    }
    mapped.keySet().retainAll(seen.keySet());
    mapped.putAll(seen);
    reported.keySet().removeIf(d -> !Files.isDirectory(d));
    return new Scan(regions, problems);
  }

  private ContainerRegion read(Path file, String podUid, String container, Map<Path, Mapped> seen)
      throws IOException {
    Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    Mapped m = mapped.get(file);
    if (m == null || !Objects.equals(m.fileKey(), key)) {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        long size = ch.size();
        if (size < RegionLayout.REGION_SIZE) {
          throw new RegionFormatException(file.getFileName() + " is " + size + " bytes, a version "
              + RegionLayout.MAJOR + "." + RegionLayout.MINOR + " libvgpu region is " + RegionLayout.REGION_SIZE);
        }
        m = new Mapped(key, ch.map(FileChannel.MapMode.READ_ONLY, 0, RegionLayout.REGION_SIZE));
      }
    }
    seen.put(file, m);
    RegionSnapshot region = live(RegionDecoder.decode(m.bytes(), file.getFileName().toString()));
    Path limitsDir = limitsRoot.resolve(podUid + "_" + container);
    List<String> cards = LimitsFile.deviceIds(Files.readString(limitsDir.resolve("limits"),
        StandardCharsets.US_ASCII));
    Path podFile = limitsDir.resolve(ContainerAssignment.POD_FILE);
    String podKey = Files.isRegularFile(podFile) ? Files.readString(podFile, StandardCharsets.UTF_8).trim() : "";
    return new ContainerRegion(podUid, container, podKey, cards, region);
  }

  /** The region without the processes found dead (a slot libvgpu has not reclaimed yet). */
  private RegionSnapshot live(RegionSnapshot r) {
    List<RegionSnapshot.Process> alive = new ArrayList<>();
    for (RegionSnapshot.Process p : r.processes()) {
      if (p.hostPid() <= 0 || processes.isAlive(p.hostPid(), p.startTime())) {
        alive.add(p);
      }
    }
    return alive.size() == r.processes().size() ? r
        : new RegionSnapshot(r.priority(), r.lastKernelEpochSeconds(), r.devices(), alive);
  }

  private static String describe(Exception e) {
    if (e instanceof NoSuchFileException n) {
      return "missing " + n.getFile();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
