package io.github.volcanovgpu.plugin.allocate;

import io.github.volcanovgpu.plugin.cdi.CdiSpecRegistry;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what Allocate leaves on the node per container once its pod is gone: the host cache directory
 * ({@code <cacheRoot>/<podUID>_<container>}, mounted as {@code /tmp/vgpu}) and, in CDI mode, the container's slice
 * spec ({@code vgpu-<podUID>_<container>}). Both must outlive container restarts, so they are kept while the pod
 * exists on the node, and anything must be seen orphaned for {@code grace} before it goes (a pod the watch has not
 * delivered yet is not removed under its container).
 */
public final class LeftoverCollector {
  private static final Logger LOG = LoggerFactory.getLogger(LeftoverCollector.class);

  private final Path cacheRoot;
  private final @Nullable CdiSpecRegistry cdi;
  private final Clock clock;
  private final Duration grace;
  /** What was orphaned in earlier calls, and since when. */
  private final Map<String, Instant> orphanSince = new HashMap<>();

  public LeftoverCollector(Path cacheRoot, @Nullable CdiSpecRegistry cdi, Clock clock, Duration grace) {
    this.cacheRoot = Objects.requireNonNull(cacheRoot, "cacheRoot");
    this.cdi = cdi;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.grace = Objects.requireNonNull(grace, "grace");
  }

  /**
   * Removes the leftovers of pods not in {@code livePodUids} (every pod bound to this node, whatever its phase) that
   * were already orphaned at least {@code grace} ago, as seen by earlier calls. Call it periodically.
   *
   * @return what was removed, e.g. {@code cache <uid>_<container>} and {@code cdi vgpu-<uid>_<container>}
   */
  public synchronized List<String> collect(Set<String> livePodUids) {
    Instant now = clock.instant();
    Map<String, Runnable> orphans = new LinkedHashMap<>();
    if (Files.isDirectory(cacheRoot)) {
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(cacheRoot)) {
        for (Path dir : dirs) {
          String name = dir.getFileName().toString();
          if (Files.isDirectory(dir) && !livePodUids.contains(podUid(name))) {
            orphans.put("cache " + name, () -> deleteTree(dir));
          }
        }
      } catch (IOException e) {
        LOG.warn("cannot list container cache directories in {}: {}", cacheRoot, e.getMessage());
      }
    }
    CdiSpecRegistry registry = cdi;
    if (registry != null) {
      for (String slice : registry.sliceNames()) {
        String container = slice.startsWith(ContainerResponses.SLICE_PREFIX)
            ? slice.substring(ContainerResponses.SLICE_PREFIX.length()) : slice;
        if (!livePodUids.contains(podUid(container))) {
          orphans.put("cdi " + slice, () -> registry.forgetSlice(slice));
        }
      }
    }
    orphanSince.keySet().retainAll(orphans.keySet());
    List<String> removed = new ArrayList<>();
    orphans.forEach((what, remove) -> {
      Instant since = orphanSince.putIfAbsent(what, now);
      if (since != null && !since.plus(grace).isAfter(now)) {
        try {
          remove.run();
          removed.add(what);
          orphanSince.remove(what);
        } catch (RuntimeException e) {
          LOG.warn("cannot remove {} (retrying later): {}", what, e.getMessage());
        }
      }
    });
    if (!removed.isEmpty()) {
      LOG.info("removed leftovers of pods gone from the node: {}", removed);
    }
    return removed;
  }

  /** {@code <podUID>_<container>} → the pod UID (UIDs and container names have no underscore). */
  static String podUid(String containerDirName) {
    int underscore = containerDirName.indexOf('_');
    return underscore < 0 ? containerDirName : containerDirName.substring(0, underscore);
  }

  private static void deleteTree(Path dir) {
    try {
      walkAndDelete(dir);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void walkAndDelete(Path dir) throws IOException {
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, @Nullable IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
