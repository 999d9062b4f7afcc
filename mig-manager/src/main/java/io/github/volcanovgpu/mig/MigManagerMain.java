package io.github.volcanovgpu.mig;

import io.github.volcanovgpu.mig.daemon.KubeNodeLabels;
import io.github.volcanovgpu.mig.daemon.MigConfigDaemon;
import io.github.volcanovgpu.mig.gpu.FakeGpuFile;
import io.github.volcanovgpu.mig.gpu.FakeMigGpus;
import io.github.volcanovgpu.mig.gpu.MigDevicePort;
import io.github.volcanovgpu.mig.gpu.NvmlMigDevicePort;
import io.github.volcanovgpu.mig.gpu.PortProfileSource;
import io.github.volcanovgpu.mig.layout.MigConfigCodec;
import io.github.volcanovgpu.mig.layout.MigConfigException;
import io.github.volcanovgpu.mig.layout.MigConfigSpec;
import io.github.volcanovgpu.mig.profile.PreferRuntimeProfileSource;
import io.github.volcanovgpu.mig.profile.ProfileCatalogue;
import io.github.volcanovgpu.mig.reconcile.ApplyOutcome;
import io.github.volcanovgpu.mig.reconcile.MigExporter;
import io.github.volcanovgpu.mig.reconcile.MigReconciler;
import io.github.volcanovgpu.process.Cli;
import io.github.volcanovgpu.process.kube.KubeClients;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code vgpu-mig-manager apply|assert|export|daemon}: mig-parted's commands and NVIDIA mig-manager's loop over
 * NVML, or over a fake machine file ({@code --fake-gpus}) that keeps its state between runs.
 */
@Command(
    name = "vgpu-mig-manager",
    mixinStandardHelpOptions = true,
    description = "Apply, check and export MIG layouts (mig-parted config format); label-driven daemon mode.",
    subcommands = {
        MigManagerMain.Apply.class, MigManagerMain.Assert.class, MigManagerMain.Export.class,
        MigManagerMain.Daemon.class})
public final class MigManagerMain implements Runnable {
  static final String PROGRAM = "vgpu-mig-manager";

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    Cli.exit(new MigManagerMain(), PROGRAM, args);
  }

  /**
   * Runs the CLI and returns the exit code ({@link Cli}: 0 ok, 1 failure or "not applied", 2 usage); never exits
   * the JVM.
   */
  static int run(String[] args, PrintWriter out, PrintWriter err) {
    return Cli.run(new MigManagerMain(), PROGRAM, args, out, err);
  }

  /** Where the GPUs come from. */
  static final class GpuOptions {
    @Option(names = "--fake-gpus", description = "YAML file describing a fake machine (state is written back)")
    @Nullable
    Path fakeGpus;

    @Option(names = "--driver-root", defaultValue = "${env:NVIDIA_DRIVER_ROOT:-/}",
        description = "root under which libnvidia-ml.so.1 is looked for (default: ${DEFAULT-VALUE})")
    Path driverRoot = Path.of("/");

    final ProfileCatalogue catalogue = ProfileCatalogue.builtIn();

    MigDevicePort open() {
      if (fakeGpus != null) {
        return FakeGpuFile.load(fakeGpus, catalogue);
      }
      return NvmlMigDevicePort.open(driverRoot, catalogue);
    }

    MigReconciler reconciler(MigDevicePort port) {
      return new MigReconciler(port,
          new PreferRuntimeProfileSource(new PortProfileSource(port, catalogue), catalogue));
    }

    void save(MigDevicePort port) {
      if (fakeGpus != null && port instanceof FakeMigGpus fake) {
        FakeGpuFile.save(fake, fakeGpus);
      }
    }
  }

  /** The mig-parted config file and selected config. */
  static final class ConfigOptions {
    @Option(names = {"-f", "--config-file"}, required = true, defaultValue = "${env:MIG_PARTED_CONFIG_FILE}",
        description = "mig-parted config file (env MIG_PARTED_CONFIG_FILE)")
    Path file = Path.of("");

    MigConfigSpec read() {
      try {
        return new MigConfigCodec().parse(Files.readString(file));
      } catch (IOException e) {
        throw new MigConfigException("cannot read " + file + ": " + e.getMessage());
      } catch (MigConfigException e) {
        throw new MigConfigException(file + ": " + e.getMessage());
      }
    }
  }

  @Command(name = "apply", description = "Apply a config to the GPUs it selects (assert first, roll back on failure).")
  static final class Apply implements Callable<Integer> {
    @Mixin
    GpuOptions gpu;
    @Mixin
    ConfigOptions config;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--selected-config"}, required = true, defaultValue = "${env:MIG_PARTED_SELECTED_CONFIG}",
        description = "config name (env MIG_PARTED_SELECTED_CONFIG)")
    String selected = "";

    @Override
    public Integer call() {
      MigConfigSpec s = config.read();
      MigDevicePort port = gpu.open();
      try {
        for (ApplyOutcome o : gpu.reconciler(port).apply(s, selected)) {
          spec.commandLine().getOut().println("GPU " + o.gpu() + ": " + (o.changed() ? "applied " : "unchanged ")
              + o.placements());
        }
      } finally {
        gpu.save(port);
      }
      return 0;
    }
  }

  @Command(name = "assert", description = "Exit 0 when the config is applied, 1 otherwise.")
  static final class Assert implements Callable<Integer> {
    @Mixin
    GpuOptions gpu;
    @Mixin
    ConfigOptions config;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--selected-config"}, required = true, defaultValue = "${env:MIG_PARTED_SELECTED_CONFIG}")
    String selected = "";

    @Override
    public Integer call() {
      MigConfigSpec s = config.read();
      MigDevicePort port = gpu.open();
      boolean ok = gpu.reconciler(port).asserts(s, selected);
      spec.commandLine().getOut().println(ok ? "config " + selected + " is applied" : "config " + selected
          + " is not applied");
      return ok ? 0 : 1;
    }
  }

  @Command(name = "export", description = "Print the current state as a config named 'current'.")
  static final class Export implements Callable<Integer> {
    @Mixin
    GpuOptions gpu;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      MigDevicePort port = gpu.open();
      spec.commandLine().getOut().print(new MigConfigCodec().write(new MigExporter(port).export()));
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(name = "daemon", description = "Watch the node label nvidia.com/mig.config and apply that config.")
  static final class Daemon implements Callable<Integer> {
    @Mixin
    GpuOptions gpu;
    @Mixin
    ConfigOptions config;

    @Option(names = "--node-name", required = true, defaultValue = "${env:NODE_NAME}", description = "this node")
    String node = "";

    @Option(names = "--kubeconfig",
        description = "kubeconfig file (default: $KUBECONFIG, ~/.kube/config, then the in-cluster configuration)")
    @Nullable
    Path kubeconfig;

    @Option(names = "--interval", defaultValue = "PT5S", description = "how often the label is read (ISO-8601)")
    Duration interval = Duration.ofSeconds(5);

    @Override
    public Integer call() {
      MigConfigSpec s = config.read();
      MigDevicePort port = gpu.open();
      KubeClients kube = kubeconfig == null ? KubeClients.standard() : KubeClients.fromKubeconfig(kubeconfig);
      new MigConfigDaemon(new KubeNodeLabels(kube.requests(), node), s, gpu.reconciler(port)).run(interval);
      return 0;
    }
  }
}
