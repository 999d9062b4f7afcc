package io.github.volcanovgpu.bridge;

import io.github.volcanovgpu.process.Cli;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./volcano-vgpu bridge|simulate|explain}: wiring only. */
@Command(
    name = "volcano-vgpu",
    mixinStandardHelpOptions = true,
    versionProvider = BridgeMain.Version.class,
    description = "GPU sharing for Volcano: the scheduler sidecar and its embedded simulation.",
    subcommands = {BridgeCommand.class, SimulateCommand.class, ExplainCommand.class})
public final class BridgeMain implements Runnable {
  static final String PROGRAM = "volcano-vgpu";

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    Cli.exit(new BridgeMain(), PROGRAM, args);
  }

  /** Runs the CLI and returns the exit code ({@link Cli}: 0 ok, 1 failure, 2 usage); never exits the JVM. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    return Cli.run(new BridgeMain(), PROGRAM, args, out, err);
  }

  /** Version from the jar manifest, or "development". */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = BridgeMain.class.getPackage().getImplementationVersion();
      return new String[] {"volcano-vgpu " + (v == null ? "development" : v)};
    }
  }
}
