package io.github.volcanovgpu.e2e.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * The two image archives of {@code scripts/build-images.sh --no-maven --no-measure} on the modules this reactor has
 * just packaged, built once per test JVM into {@code target/images} and shared by the tests that read them
 * ({@link ImageArchivesIT}) and the ones that run them under a real kubelet. A machine that cannot build images
 * (exit status 3: no apt/dpkg, no jmods) skips outside CI and fails under {@code CI=true}; any other failure fails.
 */
public final class BuiltImages {
  /** The repository root (tests run in {@code test/e2e}). */
  public static final Path ROOT = Path.of("..", "..").toAbsolutePath().normalize();

  private static final Path OUT = Path.of("target", "images").toAbsolutePath();
  private static Archives built;
  private static String notBuilt;

  /** The Maven version (the images' tag) and both archives. */
  public record Archives(String version, Path java, Path libvgpu) {}

  private BuiltImages() {}

  /** The archives, built on first use; skips (fails under CI) where images cannot be built here. */
  public static synchronized Archives require() throws IOException, InterruptedException {
    if (built == null && notBuilt == null) {
      build();
    }
    if (notBuilt != null) {
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError("CI=true, so this is a failure, not a skip: " + notBuilt);
      }
      Assumptions.abort(notBuilt);
    }
    return built;
  }

  /** Where the archives and {@code images.txt} are written. */
  static Path out() {
    return OUT;
  }

  private static void build() throws IOException, InterruptedException {
    String version = mavenVersion();
    Files.createDirectories(OUT);
    Path logFile = OUT.resolveSibling("build-images.log");
    Process build = new ProcessBuilder("bash", "scripts/build-images.sh", "--no-maven", "--no-measure", "--out",
        OUT.toString()).directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(logFile.toFile())
        .start();
    if (!build.waitFor(20, TimeUnit.MINUTES)) {
      build.destroyForcibly();
      throw new AssertionError("scripts/build-images.sh took over 20 minutes; log: " + logFile);
    }
    String log = Files.readString(logFile);
    if (build.exitValue() == 3) { // a prerequisite is missing on this machine
      notBuilt = log.lines().filter(l -> l.contains("cannot build images here")).findFirst().orElse(log);
      return;
    }
    if (build.exitValue() != 0) {
      throw new AssertionError("scripts/build-images.sh failed (exit " + build.exitValue() + "):\n" + tail(log));
    }
    built = new Archives(version, OUT.resolve("volcano-vgpu-" + version + ".tar"),
        OUT.resolve("libvgpu-" + version + ".tar"));
  }

  /** The project version: the parent POM's own {@code <version>}, two spaces in (the line the script reads). */
  static String mavenVersion() throws IOException {
    Matcher m = Pattern.compile("(?m)^  <version>([^<]+)</version>$").matcher(Files.readString(ROOT.resolve(
        "pom.xml")));
    if (!m.find()) {
      throw new IllegalStateException("no <version> in " + ROOT.resolve("pom.xml"));
    }
    return m.group(1);
  }

  static String tail(String text) {
    List<String> lines = text.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }
}
