package io.github.volcanovgpu.e2e.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The launcher {@code ./volcano-vgpu} in a copy of the repository layout whose sources are newer than the built
 * jars and whose libvgpu-native is not built, with {@code mvn} and {@code java} on the PATH replaced by recorders:
 * what it builds and what it runs.
 */
class LauncherTest {
  @TempDir
  Path root;

  private Path mvnCalls;
  private Path javaCalls;

  @BeforeEach
  void layout() throws IOException {
    Path launcher = Files.copy(Path.of("../../volcano-vgpu"), root.resolve("volcano-vgpu"));
    executable(launcher);
    Instant built = Instant.parse("2026-01-01T00:00:00Z");
    for (String module : List.of("volcano-plugin-bridge", "vgpu-device-plugin", "mig-manager")) {
      Path jar = Files.createDirectories(root.resolve(module).resolve("target")).resolve(module + "-0.1.0.jar");
      Files.writeString(jar, "jar");
      Files.setLastModifiedTime(jar, FileTime.from(built));
      Files.createDirectories(root.resolve(module).resolve("target/lib"));
      Path source = Files.createDirectories(root.resolve(module).resolve("src/main")).resolve("Changed.java");
      Files.writeString(source, "class Changed {}"); // newer than the jar: the module is stale
    }
    Files.createDirectories(root.resolve("libvgpu-native/target/native")); // its probe not built
    Path bin = Files.createDirectories(root.resolve("bin"));
    mvnCalls = root.resolve("mvn-calls");
    javaCalls = root.resolve("java-calls");
    recorder(bin.resolve("mvn"), mvnCalls);
    recorder(bin.resolve("java"), javaCalls);
  }

  private static void executable(Path file) throws IOException {
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** A command that appends its arguments as one line to {@code calls} and succeeds. */
  private static void recorder(Path command, Path calls) throws IOException {
    Files.writeString(command, "#!/bin/sh\necho \"$*\" >> '" + calls + "'\n");
    executable(command);
  }

  private int launch(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", root.resolve("volcano-vgpu").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(root.resolve("output").toFile());
    pb.environment().put("PATH", root.resolve("bin") + ":/usr/bin:/bin");
    Process p = pb.start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("launcher finished").isTrue();
    return p.exitValue();
  }

  private static List<String> lines(Path calls) throws IOException {
    return Files.exists(calls) ? Files.readAllLines(calls, StandardCharsets.UTF_8) : List.of();
  }

  @ParameterizedTest
  @ValueSource(strings = {"simulate --help", "simulate -h", "simulate --version", "bridge --help",
      "device-plugin --help", "device-plugin -V", "mig-manager apply --help", "monitor --help"})
  void askingForHelpOrTheVersionBuildsNothingAndRunsTheCommandAsBuilt(String invocation) throws Exception {
    String[] args = invocation.split(" ");

    assertThat(launch(args)).isZero();

    assertThat(lines(mvnCalls)).as("mvn calls").isEmpty();
    assertThat(lines(javaCalls)).singleElement().asString().endsWith(
        String.join(" ", List.of(args).subList(args[0].equals("simulate") || args[0].equals("bridge") ? 0 : 1,
            args.length)));
  }

  @Test
  void theLaunchersOwnHelpBuildsAndRunsNothing() throws Exception {
    assertThat(launch("help")).isZero();

    assertThat(Files.readString(root.resolve("output"))).contains("./volcano-vgpu simulate [options]");
    assertThat(lines(mvnCalls)).isEmpty();
    assertThat(lines(javaCalls)).isEmpty();
  }

  @Test
  void anythingElseRebuildsTheStaleModuleAndLibvgpuForSimulate() throws Exception {
    assertThat(launch("simulate", "--policy", "spread")).isZero();

    assertThat(lines(mvnCalls)).hasSize(2);
    assertThat(lines(mvnCalls).get(0)).contains("-pl volcano-plugin-bridge -am package");
    assertThat(lines(mvnCalls).get(1)).contains("-pl libvgpu-native compile");
    assertThat(lines(javaCalls)).singleElement().asString().endsWith("BridgeMain simulate --policy spread");
  }

  @Test
  void helpWithoutAnyBuiltJarBuildsOnlyTheJavaModuleItNeeds() throws Exception {
    Files.delete(root.resolve("volcano-plugin-bridge/target/volcano-plugin-bridge-0.1.0.jar"));

    launch("simulate", "--help");

    assertThat(lines(mvnCalls)).singleElement().asString().contains("-pl volcano-plugin-bridge -am package");
  }

  @Test
  void theMonitorRunsFromTheDevicePluginsModuleWithItsSmallHeap() throws Exception {
    assertThat(launch("monitor", "--no-kube")).isZero();

    assertThat(lines(mvnCalls)).singleElement().asString().contains("-pl vgpu-device-plugin -am package");
    assertThat(lines(javaCalls)).singleElement().asString().contains("-Xmx64m")
        .endsWith("io.github.volcanovgpu.plugin.monitor.MonitorMain --no-kube");
  }
}
