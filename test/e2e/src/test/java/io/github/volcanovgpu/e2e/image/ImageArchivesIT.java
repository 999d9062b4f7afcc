package io.github.volcanovgpu.e2e.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.github.volcanovgpu.e2e.image.ImageArchive.Entry;
import io.github.volcanovgpu.e2e.image.ImageArchive.Layer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the one command, {@code scripts/build-images.sh --no-maven} (on the modules this reactor has just packaged;
 * figures skipped), and checks both archives it writes as a registry client or a container runtime would read them:
 * the OCI layout and Docker's {@code manifest.json}, media types, every digest and size against its blob, the config
 * (entry point, user, labels, diff_ids against the decompressed layers), the files the components need, that the
 * chart's default image names are the archives' names; then, where this machine allows (root), imports both into a
 * private containerd with {@code ctr images import} and starts the image's JVM from its layers on the recorded
 * class-data archives. Outside CI, a machine that cannot build images (no apt/dpkg, no jmods) skips with the reason.
 */
class ImageArchivesIT {
  private static final Path ROOT = BuiltImages.ROOT;
  private static final Path OUT = BuiltImages.out();
  private static final long MB = 1_000_000;
  private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  private static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

  private static String version = "";
  private static ImageArchive javaImage;
  private static ImageArchive libvgpuImage;
  private static Path javaArchive = Path.of("");
  private static Path libvgpuArchive = Path.of("");

  @BeforeAll
  static void buildImages() throws Exception {
    BuiltImages.Archives archives = BuiltImages.require();
    version = archives.version();
    javaArchive = archives.java();
    libvgpuArchive = archives.libvgpu();
    javaImage = ImageArchive.read(javaArchive, OUT.resolve("check/volcano-vgpu"), 1 << 16);
    libvgpuImage = ImageArchive.read(libvgpuArchive, OUT.resolve("check/libvgpu"), 16 * MB);
  }

  // ------------------------------------------------------------------------------------------------ both images

  @Test
  void archivesAreOciLayoutsThatAlsoCarryDockersManifest() throws IOException {
    for (ImageArchive image : List.of(javaImage, libvgpuImage)) {
      assertThat(image.outerEntries).startsWith("oci-layout", "index.json", "manifest.json");
      assertThat(image.ociLayout.path("imageLayoutVersion").asText()).isEqualTo("1.0.0");
      assertThat(image.index.path("schemaVersion").asInt()).isEqualTo(2);
      assertThat(image.index.path("mediaType").asText()).isEqualTo(OCI_INDEX);
      assertThat(image.index.path("manifests")).hasSize(1);
      JsonNode descriptor = image.index.path("manifests").get(0);
      assertThat(descriptor.path("mediaType").asText()).isEqualTo(OCI_MANIFEST);
      assertThat(descriptor.path("platform").path("os").asText()).isEqualTo("linux");
      assertThat(descriptor.path("platform").path("architecture").asText()).isEqualTo(goArch());
      assertThat(descriptor.path("annotations").path("org.opencontainers.image.ref.name").asText())
          .isEqualTo(version);

      JsonNode docker = image.dockerManifest;
      assertThat(docker).hasSize(1);
      assertThat(docker.get(0).path("Config").asText())
          .isEqualTo(ImageArchive.blobPath(image.manifest.path("config").path("digest").asText()));
      assertThat(texts(docker.get(0).path("RepoTags")))
          .containsExactly(descriptor.path("annotations").path("io.containerd.image.name").asText());
      assertThat(texts(docker.get(0).path("Layers"))).containsExactlyElementsOf(
          image.layers.stream().map(l -> ImageArchive.blobPath(l.digest())).toList());
    }
  }

  @Test
  void everyDigestAndSizeMatchesItsBlob() throws IOException {
    for (ImageArchive image : List.of(javaImage, libvgpuImage)) {
      try (Stream<Path> blobs = Files.list(image.dir.resolve("blobs/sha256"))) {
        for (Path blob : blobs.toList()) {
          assertThat(ImageArchive.sha256(blob)).isEqualTo("sha256:" + blob.getFileName());
        }
      }
      List<JsonNode> descriptors = new ArrayList<>();
      descriptors.add(image.index.path("manifests").get(0));
      descriptors.add(image.manifest.path("config"));
      image.manifest.path("layers").forEach(descriptors::add);
      for (JsonNode d : descriptors) {
        Path blob = image.blob(d.path("digest").asText());
        assertThat(blob).as(d.toString()).isRegularFile();
        assertThat(Files.size(blob)).as(d.toString()).isEqualTo(d.path("size").asLong());
      }
      assertThat(image.config.path("rootfs").path("type").asText()).isEqualTo("layers");
      assertThat(texts(image.config.path("rootfs").path("diff_ids")))
          .as("diff_ids are the sha256 of the decompressed layers")
          .containsExactlyElementsOf(image.layers.stream().map(Layer::diffId).toList());
      assertThat(image.config.path("history")).hasSameSizeAs(image.layers);
    }
  }

  @Test
  void manifestsAndConfigsUseOciMediaTypesAndCarryVersionAndRevision() {
    String revision = git("rev-parse", "HEAD");
    for (ImageArchive image : List.of(javaImage, libvgpuImage)) {
      assertThat(image.manifest.path("schemaVersion").asInt()).isEqualTo(2);
      assertThat(image.manifest.path("mediaType").asText()).isEqualTo(OCI_MANIFEST);
      assertThat(image.manifest.path("config").path("mediaType").asText()).isEqualTo(OCI_CONFIG);
      assertThat(image.manifest.path("layers")).allSatisfy(l -> assertThat(l.path("mediaType").asText())
          .isEqualTo(OCI_LAYER_GZIP));
      for (JsonNode labels : List.of(image.manifest.path("annotations"),
          image.config.path("config").path("Labels"))) {
        assertThat(labels.path("org.opencontainers.image.version").asText()).isEqualTo(version);
        assertThat(labels.path("org.opencontainers.image.revision").asText()).startsWith(revision);
        assertThat(labels.path("org.opencontainers.image.created").asText())
            .isEqualTo(image.config.path("created").asText());
        assertThat(labels.path("org.opencontainers.image.source").asText()).startsWith("https://");
        assertThat(labels.path("org.opencontainers.image.title").asText()).isNotBlank();
      }
      assertThat(image.config.path("os").asText()).isEqualTo("linux");
      assertThat(image.config.path("architecture").asText()).isEqualTo(goArch());
    }
  }

  @Test
  void everyFileCarriesTheBuildTimeAndRootOwnsAllButTheNonRootHome() {
    for (ImageArchive image : List.of(javaImage, libvgpuImage)) {
      long created = Instant.parse(image.config.path("created").asText()).getEpochSecond();
      for (Layer layer : image.layers) {
        assertThat(layer.entries()).allSatisfy(e -> assertThat(e.mtimeSeconds()).as(e.path()).isEqualTo(created));
        assertThat(layer.entries()).allSatisfy(e -> assertThat(e.uid()).as(e.path())
            .isEqualTo(e.path().equals("home/nonroot") ? 65532 : 0));
      }
    }
  }

  @Test
  void theChartsDefaultImagesAreTheArchivesNames() throws IOException {
    YAMLMapper yaml = new YAMLMapper();
    JsonNode chart = yaml.readTree(ROOT.resolve("charts/volcano-vgpu/Chart.yaml").toFile());
    JsonNode values = yaml.readTree(ROOT.resolve("charts/volcano-vgpu/values.yaml").toFile());
    String tag = chart.path("appVersion").asText();
    assertThat(tag).isEqualTo(version);
    Map<String, JsonNode> images = Map.of("sidecar", values.path("sidecar").path("image"), "devicePlugin",
        values.path("devicePlugin").path("image"), "libvgpu",
        values.path("devicePlugin").path("libvgpu").path("image"));
    images.forEach((component, image) -> assertThat(image.path("tag").asText()).as(component).isEmpty());
    assertThat(name(javaImage)).isEqualTo(reference(images.get("sidecar"), tag))
        .isEqualTo(reference(images.get("devicePlugin"), tag));
    assertThat(name(libvgpuImage)).isEqualTo(reference(images.get("libvgpu"), tag));
    assertThat(Files.readAllLines(OUT.resolve("images.txt"))).containsExactly(
        javaArchive.getFileName() + " " + name(javaImage) + " " + javaImage.index.path("manifests").get(0)
            .path("digest").asText(),
        libvgpuArchive.getFileName() + " " + name(libvgpuImage) + " " + libvgpuImage.index.path("manifests").get(0)
            .path("digest").asText());
  }

  // ------------------------------------------------------------------------------------------------ the Java image

  @Test
  void javaImageRunsTheLauncherSubcommandsAsTheNonRootUser() {
    JsonNode c = javaImage.config.path("config");
    assertThat(c.path("User").asText()).isEqualTo("65532:65532");
    assertThat(texts(c.path("Entrypoint"))).containsExactly("/usr/local/bin/volcano-vgpu");
    assertThat(texts(c.path("Cmd"))).containsExactly("help");
    assertThat(texts(c.path("Env"))).contains("JAVA_HOME=/opt/java")
        .anySatisfy(e -> assertThat(e).startsWith("PATH=/opt/java/bin:"));
    assertThat(javaImage.file("etc/passwd").text()).contains("nonroot:x:65532:65532:");
    assertThat(javaImage.file("home/nonroot").isDirectory()).isTrue();
    assertThat(javaImage.file("tmp").mode()).isEqualTo(01777);

    Entry entrypoint = javaImage.file("usr/local/bin/volcano-vgpu");
    assertThat(entrypoint.mode()).isEqualTo(0755);
    assertThat(entrypoint.text()).startsWith("#!/bin/sh\n");
    assertThat(javaImage.file("bin/sh").isSymlink()).isTrue();
    assertThat(javaImage.file("bin/" + javaImage.file("bin/sh").linkName()).mode()).isEqualTo(0755);
    // each subcommand's main class is in its module's jar, which is the jar in the image
    Map<String, String> modules = Map.of("bridge", "volcano-plugin-bridge", "device-plugin", "vgpu-device-plugin",
        "mig-manager", "vgpu-mig-manager");
    Matcher m = Pattern.compile("(?m)^  ([a-z|-]+)\\) component=([a-z-]+); main=([\\w.]+)").matcher(entrypoint.text());
    Set<String> components = new TreeSet<>();
    while (m.find()) {
      components.add(m.group(2));
      String jarName = modules.get(m.group(2)) + "-" + version + ".jar";
      Path built = moduleJar(m.group(2), jarName);
      assertThat(javaImage.file("opt/volcano-vgpu/app/" + jarName).size()).isEqualTo(size(built));
      try (ZipFile zip = new ZipFile(built.toFile())) {
        assertThat(zip.getEntry(m.group(3).replace('.', '/') + ".class")).as(m.group(3)).isNotNull();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    assertThat(components).containsExactly("bridge", "device-plugin", "mig-manager");
  }

  @Test
  void javaImageHoldsTheJreTheJarsOfEachComponentAndTheClassDataArchives() {
    assertThat(javaImage.file("opt/java/bin/java").mode()).isEqualTo(0755);
    assertThat(javaImage.file("opt/java/lib/server/libjvm.so").size()).isPositive();
    assertThat(javaImage.file("opt/java/lib/security/cacerts").size()).isPositive();
    assertThat(javaImage.file("lib64/ld-linux-x86-64.so.2").isSymlink()).isTrue();
    assertThat(javaImage.files.keySet()).contains("var/lib/dpkg/status.d/libc6", "var/lib/dpkg/status.d/libstdc++6",
        "var/lib/dpkg/status.d/zlib1g", "var/lib/dpkg/status.d/libgcc-s1", "var/lib/dpkg/status.d/dash");
    for (String archive : List.of("base", "bridge", "device-plugin")) {
      assertThat(javaImage.file("opt/volcano-vgpu/cds/" + archive + ".jsa").size()).as(archive).isGreaterThan(MB);
    }

    Map<String, List<String>> classPaths = Map.of("bridge", classPath("bridge"), "device-plugin",
        classPath("device-plugin"), "mig-manager", classPath("mig-manager"));
    Map<String, String> modules = Map.of("bridge", "volcano-plugin-bridge", "device-plugin", "vgpu-device-plugin",
        "mig-manager", "mig-manager");
    classPaths.forEach((component, entries) -> {
      assertThat(entries).as(component).doesNotHaveDuplicates()
          .allSatisfy(p -> assertThat(javaImage.files).containsKey(p.substring(1)));
      // exactly the jars Maven resolved for the module: its jar and target/lib
      Set<String> expected = new TreeSet<>(list(ROOT.resolve(modules.get(component)).resolve("target/lib")));
      expected.add(moduleJar(component, "").getFileName().toString());
      Set<String> names = entries.stream().map(p -> p.substring(p.lastIndexOf('/') + 1))
          .collect(Collectors.toCollection(TreeSet::new));
      assertThat(names).as(component).isEqualTo(expected);
    });
    // the shared archive's class path (base.jsa) starts both the sidecar's and the device plugin's
    List<String> bridge = classPaths.get("bridge");
    List<String> plugin = classPaths.get("device-plugin");
    int common = 0;
    while (common < Math.min(bridge.size(), plugin.size()) && bridge.get(common).equals(plugin.get(common))) {
      common++;
    }
    assertThat(new LinkedHashSet<>(bridge.subList(0, common)))
        .isEqualTo(bridge.stream().filter(plugin::contains).collect(Collectors.toCollection(LinkedHashSet::new)));
  }

  @Test
  void javaImageStaysWithinItsSizeBudget() {
    long unpacked = javaImage.layers.stream().mapToLong(Layer::tarBytes).sum();
    assertThat(unpacked).as("unpacked size of the Java image's layers").isLessThanOrEqualTo(200 * MB);
  }

  // ------------------------------------------------------------------------------------------------ the libvgpu image

  @Test
  void libvgpuImageHoldsTheLibraryThePreloadFileAndTheInitContainersTools() {
    JsonNode c = libvgpuImage.config.path("config");
    assertThat(c.path("User").asText("")).as("the init container writes a host directory: root").isEmpty();
    assertThat(texts(c.path("Cmd"))).containsExactly("/bin/sh");
    Entry library = libvgpuImage.file("libvgpu/libvgpu.so");
    assertThat(library.size()).isEqualTo(size(ROOT.resolve("libvgpu-native/target/native/lib/libvgpu.so")));
    assertThat(Arrays.copyOf(library.content(), 4)).containsExactly(0x7f, 'E', 'L', 'F');
    assertThat(libvgpuImage.file("libvgpu/ld.so.preload").text()).isEqualTo("/usr/local/vgpu/libvgpu.so\n");
    // what the chart's install-libvgpu script runs
    for (String tool : List.of("sh", "mkdir", "cp", "mv", "printf", "echo")) {
      Entry e = libvgpuImage.file("bin/" + tool);
      assertThat(e.isSymlink() ? e.linkName() : "busybox").as(tool).isEqualTo("busybox");
    }
    assertThat(libvgpuImage.file("bin/busybox").mode()).isEqualTo(0755);
    assertThat(libvgpuImage.files).containsKey("var/lib/dpkg/status.d/busybox-static");
  }

  // ------------------------------------------------------------------------------------------------ runtimes

  @Test
  void containerdImportsBothArchivesUnderTheirNames(@TempDir Path state) throws Exception {
    Assumptions.assumeTrue(isRoot() && onPath("containerd") && onPath("ctr"),
        "needs root and containerd (Debian's containerd package) to import into a private containerd");
    Path config = state.resolve("config.toml");
    Files.writeString(config, String.join("\n", "version = 2", "root = \"" + state.resolve("root") + "\"",
        "state = \"" + state.resolve("state") + "\"", "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]",
        "[grpc]", "  address = \"" + state.resolve("c.sock") + "\"", "[ttrpc]", "  address = \""
            + state.resolve("c.sock.ttrpc") + "\"",
        "[debug]", "  address = \"\"", "[metrics]", "  address = \"\"",
        ""));
    Process containerd = new ProcessBuilder("containerd", "--config", config.toString()).redirectErrorStream(true)
        .redirectOutput(state.resolve("containerd.log").toFile()).start();
    try {
      String sock = state.resolve("c.sock").toString();
      for (int i = 0; i < 100 && !Files.exists(state.resolve("c.sock")); i++) {
        Thread.sleep(100);
      }
      for (Path archive : List.of(javaArchive, libvgpuArchive)) {
        // as kind load image-archive does it: namespace k8s.io, all platforms, digest references
        run(List.of("ctr", "-a", sock, "-n", "k8s.io", "images", "import", "--all-platforms", "--digests",
            "--snapshotter", "native", archive.toString()));
      }
      String listed = run(List.of("ctr", "-a", sock, "-n", "k8s.io", "images", "check"));
      for (ImageArchive image : List.of(javaImage, libvgpuImage)) {
        assertThat(listed.lines().filter(l -> l.startsWith(name(image) + " ")).findFirst()).as(name(image))
            .hasValueSatisfying(l -> assertThat(l).contains(image.index.path("manifests").get(0).path("digest")
                .asText()).contains("complete"));
      }
    } finally {
      containerd.destroy();
      containerd.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void theImagesJvmStartsFromItsLayersOnTheRecordedClassDataArchives(@TempDir Path rootfs) throws Exception {
    Assumptions.assumeTrue(isRoot() && onPath("unshare") && onPath("chroot"),
        "needs root to chroot into the image's file system");
    Files.setPosixFilePermissions(rootfs, PosixFilePermissions.fromString("rwxr-xr-x")); // as a runtime makes it
    for (Layer layer : javaImage.layers) {
      run(List.of("tar", "-xzf", javaImage.blob(layer.digest()).toString(), "-C", rootfs.toString()));
    }
    for (String command : List.of("bridge", "device-plugin")) {
      // -Xshare:on fails instead of falling back when an archive cannot be mapped; "(top)" is the component's own
      String out = run(List.of("unshare", "--mount", "sh", "-c", "r=$1; c=$(command -v chroot); shift; for d in dev "
          + "proc sys; do mount --rbind /$d $r/$d; done; exec env -i VOLCANO_VGPU_JAVA_OPTS='-Xshare:on "
          + "-Xlog:class+load=info' \"$c\" --userspec=65532:65532 $r /usr/local/bin/volcano-vgpu \"$@\"", "sh",
          rootfs.toString(), command, "--help"));
      assertThat(out).as(command).contains("Usage: ").contains("source: shared objects file (top)");
    }
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private static String name(ImageArchive image) {
    return image.index.path("manifests").get(0).path("annotations").path("io.containerd.image.name").asText();
  }

  private static String reference(JsonNode image, String tag) {
    return image.path("registry").asText() + "/" + image.path("repository").asText() + ":" + tag;
  }

  private List<String> classPath(String component) {
    List<String> lines = javaImage.file("opt/volcano-vgpu/" + component + ".classpath").text().lines().toList();
    assertThat(lines).hasSize(2).first().isEqualTo("--class-path");
    return List.of(lines.get(1).split(":"));
  }

  private static Path moduleJar(String component, String jarName) {
    String module = switch (component) {
      case "bridge" -> "volcano-plugin-bridge";
      case "device-plugin" -> "vgpu-device-plugin";
      default -> "mig-manager";
    };
    String name = jarName.isEmpty() ? (module.equals("mig-manager") ? "vgpu-" + module : module) + "-" + version
        + ".jar" : jarName;
    return ROOT.resolve(module).resolve("target").resolve(name);
  }

  private static List<String> list(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static String goArch() {
    String arch = System.getProperty("os.arch");
    return switch (arch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> arch;
    };
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static boolean onPath(String tool) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
  }

  private static String git(String... args) {
    List<String> command = new ArrayList<>(List.of("git", "-C", ROOT.toString()));
    command.addAll(List.of(args));
    return run(command).strip();
  }

  private static String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
      String text = new String(out, StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as("%s:%n%s", command, BuiltImages.tail(text)).isZero();
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
