package io.github.volcanovgpu.e2e.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * One image archive of {@code scripts/build-images.sh}, unpacked and read independently of the script: the outer tar
 * into a directory, the OCI documents parsed, and every layer read entry by entry (the image's file system as the
 * layers stack, later layers winning), with the digests computed here.
 */
final class ImageArchive {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One file system entry of a layer. */
  record Entry(String path, int mode, long uid, long size, boolean isDirectory, boolean isSymlink, String linkName,
      long mtimeSeconds, byte[] content) {
    String text() {
      return new String(content, StandardCharsets.UTF_8);
    }
  }

  /** A layer blob: its digest (compressed), the sha256 of its tar (the config's diff_id) and its tar's size. */
  record Layer(String digest, String diffId, long tarBytes, List<Entry> entries) {
  }

  final Path dir;
  final List<String> outerEntries;
  final JsonNode ociLayout;
  final JsonNode index;
  final JsonNode dockerManifest;
  final JsonNode manifest;
  final JsonNode config;
  final List<Layer> layers;
  final Map<String, Entry> files;

  private ImageArchive(Path dir, List<String> outerEntries, List<Layer> layers) throws IOException {
    this.dir = dir;
    this.outerEntries = List.copyOf(outerEntries);
    this.ociLayout = json("oci-layout");
    this.index = json("index.json");
    this.dockerManifest = json("manifest.json");
    this.manifest = json(blobPath(index.path("manifests").path(0).path("digest").asText()));
    this.config = json(blobPath(manifest.path("config").path("digest").asText()));
    this.layers = List.copyOf(layers);
    Map<String, Entry> union = new LinkedHashMap<>();
    for (Layer layer : layers) {
      for (Entry e : layer.entries()) {
        union.put(e.path(), e);
      }
    }
    this.files = union;
  }

  /**
   * Unpacks {@code archive} into {@code dir} and reads the layers the manifest names (file contents kept for files
   * up to {@code keepBytes} bytes).
   */
  static ImageArchive read(Path archive, Path dir, long keepBytes) {
    try {
      List<String> outer = new ArrayList<>();
      Files.createDirectories(dir);
      try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(archive))) {
        for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
          outer.add(e.getName());
          Path target = dir.resolve(e.getName()).normalize();
          if (!target.startsWith(dir)) {
            throw new IOException("entry outside the archive: " + e.getName());
          }
          if (e.isDirectory()) {
            Files.createDirectories(target);
          } else {
            Files.createDirectories(target.getParent());
            Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      JsonNode manifest = JSON.readTree(dir.resolve(blobPath(JSON.readTree(dir.resolve("index.json").toFile())
          .path("manifests").path(0).path("digest").asText())).toFile());
      List<Layer> layers = new ArrayList<>();
      for (JsonNode l : manifest.path("layers")) {
        layers.add(readLayer(dir.resolve(blobPath(l.path("digest").asText())), l.path("digest").asText(),
            keepBytes));
      }
      return new ImageArchive(dir, outer, layers);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Layer readLayer(Path blob, String digest, long keepBytes) throws IOException {
    MessageDigest sha = sha256();
    List<Entry> entries = new ArrayList<>();
    long[] tarBytes = {0};
    try (InputStream gz = new GZIPInputStream(Files.newInputStream(blob));
        InputStream counted = new DigestInputStream(new CountingStream(gz, tarBytes), sha);
        TarArchiveInputStream tar = new TarArchiveInputStream(counted)) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        byte[] content = e.isFile() && e.getSize() <= keepBytes ? tar.readAllBytes() : new byte[0];
        String path = e.getName().replaceFirst("^\\./", "").replaceFirst("/$", "");
        entries.add(new Entry(path, e.getMode() & 07777, e.getLongUserId(), e.getSize(), e.isDirectory(),
            e.isSymbolicLink(), e.getLinkName(), e.getModTime().toInstant().getEpochSecond(), content));
      }
      counted.transferTo(OutputStream.nullOutputStream()); // tar padding after the end marker counts for the digest
    }
    return new Layer(digest, "sha256:" + HexFormat.of().formatHex(sha.digest()), tarBytes[0], entries);
  }

  static String sha256(Path file) {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha256())) {
      in.transferTo(OutputStream.nullOutputStream());
      return "sha256:" + HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String blobPath(String digest) {
    return "blobs/" + digest.replace(':', '/');
  }

  JsonNode json(String relative) throws IOException {
    return JSON.readTree(dir.resolve(relative).toFile());
  }

  Path blob(String digest) {
    return dir.resolve(blobPath(digest));
  }

  Entry file(String path) {
    Entry e = files.get(path);
    if (e == null) {
      throw new AssertionError("no " + path + " in the image");
    }
    return e;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Counts the bytes read through it (the layer's tar size). */
  private static final class CountingStream extends java.io.FilterInputStream {
    private final long[] count;

    CountingStream(InputStream in, long[] count) {
      super(in);
      this.count = count;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count[0]++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count[0] += n;
      }
      return n;
    }
  }
}
