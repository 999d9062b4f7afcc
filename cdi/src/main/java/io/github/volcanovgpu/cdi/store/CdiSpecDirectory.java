package io.github.volcanovgpu.cdi.store;

import io.github.volcanovgpu.cdi.CdiCodec;
import io.github.volcanovgpu.cdi.CdiException;
import io.github.volcanovgpu.cdi.CdiSpec;
import io.github.volcanovgpu.cdi.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A CDI spec directory ({@code /var/run/cdi} by default) written like the upstream {@code spec.go}: validate,
 * serialise, write a temporary {@code spec.*.tmp} in the same directory (a name runtimes do not load), flush it to
 * disk, then rename it atomically onto the final name. A failure leaves the previous file untouched and removes the
 * temporary one. Thread-safe per file name (the rename is the only visible step).
 */
public final class CdiSpecDirectory implements CdiSpecWriter {
  /** The dynamic spec directory of runtimes ({@code pkg/cdi/spec-dirs.go}). */
  public static final Path DEFAULT_ROOT = Path.of("/var/run/cdi");
  private static final Logger LOG = LoggerFactory.getLogger(CdiSpecDirectory.class);

  private final Path root;
  private final CdiCodec codec;
  private final CdiCodec.Format format;

  public CdiSpecDirectory(Path root, CdiCodec codec, CdiCodec.Format format) {
    this.root = Objects.requireNonNull(root, "root");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.format = Objects.requireNonNull(format, "format");
  }

  public Path root() {
    return root;
  }

  /** The file a spec of this base name is written to. */
  public Path file(String fileBase) {
    return root.resolve(fileBase + format.extension());
  }

  @Override
  public void write(CdiSpec spec) {
    writeFile(Kind.parse(spec.kind()).specFileBase(), spec);
  }

  @Override
  public boolean remove(Kind kind) {
    return remove(kind.specFileBase());
  }

  @Override
  public void writeTransient(CdiSpec spec, String id) {
    writeFile(CdiSpecWriter.transientFileBase(Kind.parse(spec.kind()), id), spec);
  }

  @Override
  public boolean removeTransient(Kind kind, String id) {
    return remove(CdiSpecWriter.transientFileBase(kind, id));
  }

  /** Validates {@code spec} and atomically replaces {@code <root>/<fileBase>.<ext>} with it. */
  public Path writeFile(String fileBase, CdiSpec spec) {
    if (fileBase.isEmpty() || fileBase.contains("/") || fileBase.startsWith(".")) {
      throw new CdiException("invalid spec file name \"" + fileBase + "\"");
    }
    byte[] bytes = codec.writeBytes(spec, format); // validates first: nothing invalid reaches the disk
    Path target = file(fileBase);
    Path tmp = null;
    try {
      Files.createDirectories(root);
      tmp = Files.createTempFile(root, "spec.", ".tmp");
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: keep the default mode
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new CdiException("cannot replace " + target + " atomically: " + e.getMessage(), e);
      }
      tmp = null;
      LOG.debug("wrote CDI spec {} ({} devices)", target, spec.devices().size());
      return target;
    } catch (IOException e) {
      throw new CdiException("cannot write CDI spec " + target + ": " + e.getClass().getSimpleName() + ": "
          + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          LOG.warn("could not remove temporary spec {}: {}", tmp, e.getMessage());
        }
      }
    }
  }

  /** Removes {@code <fileBase>.json} and {@code .yaml}; true when one existed. */
  public boolean remove(String fileBase) {
    boolean any = false;
    for (CdiCodec.Format f : CdiCodec.Format.values()) {
      Path p = root.resolve(fileBase + f.extension());
      try {
        any |= Files.deleteIfExists(p);
      } catch (IOException e) {
        throw new CdiException("cannot remove CDI spec " + p + ": " + e.getMessage(), e);
      }
    }
    return any;
  }

  /** Reads and validates {@code <fileBase>} (JSON or YAML), empty when there is no such file. */
  public Optional<CdiSpec> read(String fileBase) {
    for (CdiCodec.Format f : CdiCodec.Format.values()) {
      Path p = root.resolve(fileBase + f.extension());
      if (Files.isRegularFile(p)) {
        try {
          return Optional.of(codec.read(Files.readString(p), f, p.toString()));
        } catch (IOException e) {
          throw new CdiException("cannot read CDI spec " + p + ": " + e.getMessage(), e);
        }
      }
    }
    return Optional.empty();
  }

  /** The ids of the transient specs of {@code kind} in the directory, sorted. */
  @Override
  public List<String> transientIds(Kind kind) {
    String prefix = kind.specFileBase() + "_";
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(root)) {
      for (Path p : files) {
        String name = p.getFileName().toString();
        if (name.startsWith(prefix) && (name.endsWith(".json") || name.endsWith(".yaml"))) {
          out.add(name.substring(prefix.length(), name.length() - 5));
        }
      }
    } catch (IOException e) {
      throw new CdiException("cannot list CDI spec directory " + root + ": " + e.getMessage(), e);
    }
    out.sort(null);
    return out;
  }

  /** Removes every transient spec of {@code kind} whose id is not in {@code keep}; returns the removed ids. */
  public List<String> removeStaleTransients(Kind kind, Set<String> keep) {
    List<String> removed = new ArrayList<>();
    for (String id : transientIds(kind)) {
      if (!keep.contains(id) && removeTransient(kind, id)) {
        removed.add(id);
      }
    }
    return removed;
  }

  /** Removes temporary files a crash left behind ({@code spec.*.tmp}); runtimes ignore them anyway. */
  public int removeTemporaries() {
    int n = 0;
    if (!Files.isDirectory(root)) {
      return 0;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(root, "spec.*.tmp")) {
      for (Path p : files) {
        if (Files.deleteIfExists(p)) {
          n++;
        }
      }
    } catch (IOException e) {
      throw new CdiException("cannot clean CDI spec directory " + root + ": " + e.getMessage(), e);
    }
    return n;
  }
}
