import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * The extender parse + decide step of two builds side by side in one JVM (scripts/bench-ab.sh): each tree's
 * endpoint in its own class loader, on the same request bytes (the bodies of each tree's VolcanoRequests in turn),
 * rounds interleaved, CPU time of this thread per call, medians over the rounds. Usage: BenchAb BASE_TREE NEW_TREE
 * [ROUNDS], each tree with volcano-plugin-bridge's test classes and target/bench-classpath.txt built.
 */
public class BenchAb {
  static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
  static long sink;

  static final class Side {
    final String name;
    final ClassLoader loader;
    final Method handle;
    final Method tokenPass;
    final Object predicateVerb;
    final Object prioritizeVerb;
    final Object task;
    final Object requests;
    Object node;
    Object nodes;
    Object syncedOne;
    Object fallback;
    Object syncedMany;

    Side(String name, Path root) throws Exception {
      this.name = name;
      Path m = root.resolve("volcano-plugin-bridge");
      List<URL> urls = new ArrayList<>();
      urls.add(m.resolve("target/test-classes").toUri().toURL());
      urls.add(m.resolve("target/classes").toUri().toURL());
      for (String p : Files.readString(m.resolve("target/bench-classpath.txt")).trim().split(":")) {
        urls.add(Path.of(p).toUri().toURL());
      }
      loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
      Class<?> verb = c("io.github.volcanovgpu.bridge.extender.ExtenderVerb");
      predicateVerb = verb.getField("PREDICATE").get(null);
      prioritizeVerb = verb.getField("PRIORITIZE").get(null);
      Class<?> endpoint = c("io.github.volcanovgpu.bridge.extender.ExtenderEndpoint");
      handle = endpoint.getMethod("handle", verb, byte[].class);
      Class<?> bodies = c("io.github.volcanovgpu.bridge.bench.ExtenderBodies");
      tokenPass = bodies.getDeclaredMethod("tokenPass", byte[].class);
      tokenPass.setAccessible(true);
      Method t = bodies.getDeclaredMethod("task");
      t.setAccessible(true);
      task = t.invoke(null);
      Class<?> fixtures = c("io.github.volcanovgpu.bridge.extender.VolcanoFixtures");
      requests = fixtures.getField("REQUESTS").get(null);
      node = fixtures.getMethod("realisticNode", String.class).invoke(null, "gpu-node-1");
      nodes = fixtures.getMethod("realisticNodes", int.class).invoke(null, 500);
      Method engine =
          bodies.getDeclaredMethod("engine", c("io.github.volcanovgpu.bridge.bench.EngineCache"), List.class);
      engine.setAccessible(true);
      Class<?> cache = c("io.github.volcanovgpu.bridge.bench.EngineCache");
      Object synced = cache.getField("SYNCED").get(null);
      Object none = cache.getField("NONE").get(null);
      Constructor<?> ep = endpoint.getConstructor(c("io.github.volcanovgpu.bridge.scheduling.PlacementEngine"));
      syncedOne = ep.newInstance(engine.invoke(null, synced, List.of(node)));
      syncedMany = ep.newInstance(engine.invoke(null, synced, nodes));
      fallback = ep.newInstance(engine.invoke(null, none, List.of()));
    }

    Class<?> c(String n) throws ClassNotFoundException {
      return Class.forName(n, true, loader);
    }

    byte[] predicateBody() throws Exception {
      for (Method m : requests.getClass().getMethods()) {
        if (m.getName().equals("predicate")) {
          return (byte[]) m.invoke(requests, task, node);
        }
      }
      throw new IllegalStateException();
    }

    byte[] prioritizeBody() throws Exception {
      for (Method m : requests.getClass().getMethods()) {
        if (m.getName().equals("prioritize")) {
          return (byte[]) m.invoke(requests, task, nodes);
        }
      }
      throw new IllegalStateException();
    }

    IntSupplier call(Object endpoint, Object verb, byte[] body) {
      return () -> {
        try {
          Object reply = handle.invoke(endpoint, verb, body);
          return reply.hashCode();
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      };
    }

    IntSupplier token(byte[] body) {
      return () -> {
        try {
          return (int) tokenPass.invoke(null, (Object) body);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      };
    }
  }

  record Case(String name, IntSupplier call) {}

  public static void main(String[] args) throws Exception {
    Side base = new Side("base", Path.of(args[0]));
    Side neu = new Side("new", Path.of(args[1]));
    int rounds = Integer.parseInt(args.length > 2 ? args[2] : "11");
    for (String bodyOf : List.of("base", "new")) {
      Side enc = bodyOf.equals("base") ? base : neu;
      byte[] pred = enc.predicateBody();
      byte[] prio = enc.prioritizeBody();
      System.out.printf(Locale.ROOT,
          "%nbodies written by the %s tree's VolcanoRequests: predicate %d bytes, prioritize %.1f MB%n",
          bodyOf, pred.length, prio.length / 1e6);
      List<Case> cases = List.of(
          new Case("predicate token pass", base.token(pred)),
          new Case("predicate synced, base", base.call(base.syncedOne, base.predicateVerb, pred)),
          new Case("predicate synced, new", neu.call(neu.syncedOne, neu.predicateVerb, pred)),
          new Case("predicate fallback, base", base.call(base.fallback, base.predicateVerb, pred)),
          new Case("predicate fallback, new", neu.call(neu.fallback, neu.predicateVerb, pred)),
          new Case("prioritize500 token pass", base.token(prio)),
          new Case("prioritize500 synced, base", base.call(base.syncedMany, base.prioritizeVerb, prio)),
          new Case("prioritize500 synced, new", neu.call(neu.syncedMany, neu.prioritizeVerb, prio)),
          new Case("prioritize500 fallback, base", base.call(base.fallback, base.prioritizeVerb, prio)),
          new Case("prioritize500 fallback, new", neu.call(neu.fallback, neu.prioritizeVerb, prio)));
      int[] batch = new int[cases.size()];
      for (int i = 0; i < cases.size(); i++) { // warm-up and batch sizing: about 0.25 s of CPU per batch
        long start = CPU.getCurrentThreadCpuTime();
        int n = 0;
        while (CPU.getCurrentThreadCpuTime() - start < 2_000_000_000L) {
          sink += cases.get(i).call().getAsInt();
          n++;
        }
        batch[i] = Math.max(1, n / 8);
      }
      double[][] us = new double[cases.size()][rounds];
      for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < cases.size(); i++) {
          long start = CPU.getCurrentThreadCpuTime();
          for (int k = 0; k < batch[i]; k++) {
            sink += cases.get(i).call().getAsInt();
          }
          us[i][r] = (CPU.getCurrentThreadCpuTime() - start) / 1e3 / batch[i];
        }
      }
      double predTok = median(us[0]);
      double prioTok = median(us[5]);
      System.out.println(
          "| case | CPU per call (median of " + rounds + " interleaved rounds) | ratio to token pass | target |");
      System.out.println("|---|---:|---:|---|");
      for (int i = 0; i < cases.size(); i++) {
        double m = median(us[i]);
        double tok = i < 5 ? predTok : prioTok;
        String target = cases.get(i).name().contains("synced") ? "<= 0.5x"
            : cases.get(i).name().contains("fallback") ? "<= 1.3x" : "baseline";
        System.out.printf(Locale.ROOT, "| %s | %s | %.3fx | %s |%n", cases.get(i).name(), fmt(m), m / tok, target);
      }
    }
    System.err.println("checksum " + sink);
  }

  static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }

  static String fmt(double us) {
    return us >= 10_000 ? String.format(Locale.ROOT, "%.1f ms", us / 1000) : String.format(Locale.ROOT, "%.1f us", us);
  }
}
