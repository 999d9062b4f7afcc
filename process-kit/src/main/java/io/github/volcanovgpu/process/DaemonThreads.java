package io.github.volcanovgpu.process;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named daemon threads: every background thread of the programs has a name saying what it does (for thread dumps
 * and logs) and never keeps the JVM alive on its own; shutdown is the owners' job ({@code close()}).
 */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** A factory of daemon threads all named {@code name} (a single-thread executor, or a pool of one purpose). */
  public static ThreadFactory named(String name) {
    return r -> daemon(r, name);
  }

  /** A factory of daemon threads named {@code prefix1}, {@code prefix2}... (pools). */
  public static ThreadFactory numbered(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> daemon(r, prefix + n.incrementAndGet());
  }

  /** Starts {@code body} on a new daemon thread named {@code name}. */
  public static Thread start(String name, Runnable body) {
    Thread t = daemon(body, name);
    t.start();
    return t;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
