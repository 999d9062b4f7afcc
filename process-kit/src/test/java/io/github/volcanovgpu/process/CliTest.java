package io.github.volcanovgpu.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class CliTest {
  @Command(name = "tool", subcommands = Sub.class)
  static final class Tool implements Runnable {
    @Override
    public void run() {}
  }

  @Command(name = "sub")
  static final class Sub implements Callable<Integer> {
    @Option(names = "--fail")
    String fail = "";
    @Option(names = "--code")
    int code;

    @Override
    public Integer call() throws Exception {
      switch (fail) {
        case "arg" -> throw new IllegalArgumentException("--size: must be positive, got -1");
        case "io" -> throw new NoSuchFileException("/config/x.yaml");
        case "npe" -> throw new NullPointerException();
        default -> {
          return code;
        }
      }
    }
  }

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Cli.run(new Tool(), "volcano-vgpu", args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void successAndTheCommandsOwnCode() {
    assertThat(run("sub")).isEqualTo(Cli.OK);
    assertThat(run("sub", "--code", "1")).as("e.g. assert: not applied").isEqualTo(1);
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void aFailureIsOneLineNamingProgramAndCommandWithoutStackTrace() {
    assertThat(run("sub", "--fail", "arg")).isEqualTo(Cli.FAILED);
    assertThat(run("sub", "--fail", "io")).isEqualTo(Cli.FAILED);
    assertThat(run("sub", "--fail", "npe")).isEqualTo(Cli.FAILED);

    assertThat(err.toString().lines()).containsExactly(
        "volcano-vgpu sub: --size: must be positive, got -1",
        "volcano-vgpu sub: /config/x.yaml",
        "volcano-vgpu sub: NullPointerException");
  }

  @Test
  void aWrongCommandLineIsUsage() {
    assertThat(run("sub", "--no-such-flag")).isEqualTo(Cli.USAGE);
    assertThat(err.toString()).contains("Unknown option: '--no-such-flag'").contains("Usage:");
  }
}
