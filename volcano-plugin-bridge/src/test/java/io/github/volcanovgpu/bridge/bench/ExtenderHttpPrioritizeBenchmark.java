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

/**
 * Volcano's prioritize over real HTTP on loopback with 500 realistic candidate NodeInfos (each an 8-GPU node with
 * 40 pods; about 40 MB): time per call, compared by {@code scripts/bench.sh} with one bare Jackson token pass over
 * the same body ({@link ExtenderParseBenchmark#prioritize500TokenPass}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ExtenderHttpPrioritizeBenchmark {
  @Param({"SYNCED", "NONE"})
  public EngineCache cache;

  private ExtenderHttpServer server;
  private LoopbackHttp http;
  private byte[] request;

  @Setup(Level.Trial)
  public void start() throws InterruptedException, IOException {
    List<NodeView> nodes = VolcanoFixtures.realisticNodes(500);
    byte[] body = VolcanoFixtures.REQUESTS.prioritize(ExtenderBodies.task(), nodes);
    ExtenderEndpoint endpoint = new ExtenderEndpoint(ExtenderBodies.engine(cache, nodes));
    ExtenderBodies.checkPrioritize(endpoint, body, 500);
    request = LoopbackHttp.post("/prioritize", body);
    server = new ExtenderHttpServer(ExtenderHttpServer.Options.defaults("127.0.0.1", 0), endpoint, () -> true,
        null, ExtenderRequestObserver.NONE).start();
    http = new LoopbackHttp(server.port());
  }

  @TearDown(Level.Trial)
  public void stop() throws IOException {
    http.close();
    server.close();
  }

  @Benchmark
  public int prioritize500OverHttp() throws IOException {
    int status = http.exchange(request);
    if (status != 200) {
      throw new IllegalStateException("prioritize answered " + status + ": " + http.body());
    }
    return status;
  }
}
