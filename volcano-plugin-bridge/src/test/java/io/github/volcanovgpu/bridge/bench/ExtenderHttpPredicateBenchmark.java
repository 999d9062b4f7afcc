package io.github.volcanovgpu.bridge.bench;

import io.github.volcanovgpu.bridge.extender.ExtenderEndpoint;
import io.github.volcanovgpu.bridge.extender.ExtenderHttpServer;
import io.github.volcanovgpu.bridge.extender.ExtenderRequestObserver;
import io.github.volcanovgpu.bridge.extender.VolcanoFixtures;
import io.github.volcanovgpu.bridge.model.NodeView;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Volcano's predicate over real HTTP on loopback: 16 keep-alive clients (Volcano's predicate workers) POST the
 * realistic body (an 8-GPU node with 40 pods, about 80 KB) to the extender server; calls per second. Client and
 * server share the machine (2 cores in CI).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ExtenderHttpPredicateBenchmark {
  /** The server, its engine and the encoded request. */
  @State(Scope.Benchmark)
  public static class Server {
    @Param({"SYNCED", "NONE"})
    public EngineCache cache;

    ExtenderHttpServer server;
    byte[] request;

    @Setup(Level.Trial)
    public void start() throws InterruptedException {
      NodeView node = VolcanoFixtures.realisticNode("gpu-node-1");
      byte[] body = VolcanoFixtures.REQUESTS.predicate(ExtenderBodies.task(), node);
      ExtenderEndpoint endpoint = new ExtenderEndpoint(ExtenderBodies.engine(cache, List.of(node)));
      ExtenderBodies.checkPredicateFits(endpoint, body);
      request = LoopbackHttp.post("/predicate", body);
      server = new ExtenderHttpServer(ExtenderHttpServer.Options.defaults("127.0.0.1", 0), endpoint, () -> true,
          null, ExtenderRequestObserver.NONE).start();
    }

    @TearDown(Level.Trial)
    public void stop() {
      server.close();
    }
  }

  /** One keep-alive connection per benchmark thread. */
  @State(Scope.Thread)
  public static class Client {
    LoopbackHttp http;

    @Setup(Level.Trial)
    public void connect(Server s) throws IOException {
      http = new LoopbackHttp(s.server.port());
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      http.close();
    }
  }

  @Benchmark
  @Threads(16)
  public int predicateOverHttp(Server s, Client c) throws IOException {
    int status = c.http.exchange(s.request);
    if (status != 200) {
      throw new IllegalStateException("predicate answered " + status + ": " + c.http.body());
    }
    return status;
  }
}
