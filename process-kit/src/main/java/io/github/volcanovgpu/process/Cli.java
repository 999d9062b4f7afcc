package io.github.volcanovgpu.process;

import java.io.PrintWriter;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;

/**
 * Runs a program's picocli command, with one meaning of exit codes for all three programs:
 *
 * <ul>
 *   <li>{@value #OK}: done (or the command's own code, e.g. {@code assert}'s 1 for "not applied");
 *   <li>{@value #FAILED}: a clear error, printed as one line {@code <program> <command>: <message>} without a stack
 *       trace (a bad flag value, a missing file, an API server that cannot be reached...);
 *   <li>{@value #USAGE}: the command line itself is wrong (picocli prints the usage).
 * </ul>
 *
 * <p>Only {@code main} methods exit the JVM ({@link #exit}); everything else returns the code.
 */
public final class Cli {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;

  private Cli() {}

  /**
   * Runs {@code command} (a picocli {@code @Command} object) and returns the exit code; never exits the JVM.
   *
   * @param program the program's name for error lines ({@code volcano-vgpu}, {@code vgpu-mig-manager})
   */
  public static int run(Object command, String program, String[] args, PrintWriter out, PrintWriter err) {
    Objects.requireNonNull(program, "program");
    CommandLine cli = new CommandLine(command);
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      String name = commandLine.getCommandName();
      commandLine.getErr().println((name.equals(program) ? program : program + " " + name) + ": " + message(ex));
      return FAILED;
    });
    return cli.execute(args);
  }

  /** {@link #run} on the process's stdout and stderr, then exits the JVM with the code. For {@code main} only. */
  public static void exit(Object command, String program, String[] args) {
    System.exit(run(command, program, args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * Serves until the JVM is asked to stop (SIGTERM, Ctrl-C): blocks, then {@code stop} runs on the shutdown-hook
   * thread named {@code name}; {@code serveUntilShutdown} returns once it has run.
   */
  public static void serveUntilShutdown(String name, Runnable stop) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        stop.run();
      } finally {
        stopped.countDown();
      }
    }, name));
    stopped.await();
  }

  /**
   * Sends java.util.logging records (gRPC, parts of client-java) to SLF4J; the serving commands call it first thing.
   */
  public static void routeJulToSlf4j() {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
  }

  /** The exception's message, or its type when it has none. */
  static String message(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
