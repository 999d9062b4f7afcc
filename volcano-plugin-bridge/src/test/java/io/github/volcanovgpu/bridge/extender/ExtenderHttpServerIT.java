package io.github.volcanovgpu.bridge.extender;

import static io.github.volcanovgpu.bridge.extender.VolcanoFixtures.REQUESTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.AssignmentWriter;
import io.github.volcanovgpu.bridge.scheduling.EngineConfig;
import io.github.volcanovgpu.bridge.scheduling.NodeLock;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.simulate.InMemoryCluster;
import io.github.volcanovgpu.bridge.testing.Engines;
import io.github.volcanovgpu.bridge.vendor.nvidia.NvidiaVendor;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The extender over real HTTP on loopback, with the real engine. */
class ExtenderHttpServerIT {
  private final List<NodeView> nodes =
      List.of(VolcanoFixtures.realisticNode("node-a"), VolcanoFixtures.gpuNode("node-b", 4, 2));
  private final InMemoryCluster cluster = VolcanoFixtures.clusterOf(nodes);
  private final TaskView task = VolcanoFixtures.pendingTask("job-1", 1, 3000, 20);
  private final AtomicBoolean ready = new AtomicBoolean(false);
  private final ConcurrentHashMap<String, AtomicInteger> answered = new ConcurrentHashMap<>();
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private final List<ExtenderHttpServer> servers = new ArrayList<>();

  @AfterEach
  void stopServers() {
    servers.forEach(ExtenderHttpServer::close);
  }

  private ExtenderHttpServer start(ExtenderHttpServer.Options options, PlacementEngine engine,
      Supplier<String> metrics) throws InterruptedException {
    ExtenderHttpServer server =
        new ExtenderHttpServer(options, new ExtenderEndpoint(engine), ready::get, metrics,
            (route, status, nanos) -> answered.computeIfAbsent(route + " " + status, k -> new AtomicInteger())
                .incrementAndGet());
    servers.add(server);
    return server.start();
  }

  private ExtenderHttpServer start() throws InterruptedException {
    return start(ExtenderHttpServer.Options.defaults("127.0.0.1", 0), Engines.over(cluster,
        SchedulingPolicy.BINPACK), null);
  }

  private HttpResponse<String> post(ExtenderHttpServer server, String path, byte[] body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri(server, path)).header("Content-Type", "application/json")
            .POST(BodyPublishers.ofByteArray(body)).build(),
        BodyHandlers.ofString());
  }

  private HttpResponse<String> get(ExtenderHttpServer server, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(uri(server, path)).GET().build(), BodyHandlers.ofString());
  }

  private static URI uri(ExtenderHttpServer server, String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private static byte[] bytes(HttpResponse<String> r) {
    return r.body().getBytes(StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------------------------------------ verbs

  @Test
  void everyVerbIsAnsweredInVolcanosShapes() throws Exception {
    ExtenderHttpServer server = start();
    cluster.putPod(task.pod());

    HttpResponse<String> open = post(server, "/onSessionOpen", REQUESTS.onSessionOpen(List.of(task), nodes));
    HttpResponse<String> predicate = post(server, "/predicate", REQUESTS.predicate(task, nodes.get(0)));
    HttpResponse<String> prioritize = post(server, "/prioritize", REQUESTS.prioritize(task, nodes));
    HttpResponse<String> allocate =
        post(server, "/allocate", REQUESTS.allocate(VolcanoFixtures.allocated(task, "node-b")));
    TaskView rollback = new TaskView(task.pod().withNodeName("node-b"), TaskStatus.PENDING, "node-b",
        task.podAnnotations());
    String afterAllocate = cluster.pod(task.pod().uid()).orElseThrow().annotations()
        .getOrDefault(VgpuAnnotations.VGPU_NODE, "");
    HttpResponse<String> deallocate = post(server, "/deallocate", REQUESTS.deallocate(rollback));
    HttpResponse<String> close = post(server, "/onSessionClose", REQUESTS.onSessionClose());

    for (HttpResponse<String> r : List.of(open, predicate, prioritize, allocate, deallocate, close)) {
      assertThat(r.statusCode()).as(r.uri().getPath()).isEqualTo(200);
      assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
      assertThat(r.body()).as(r.uri().getPath()).isNotEmpty();
    }
    assertThat(open.body()).isEqualTo("{}");
    assertThat(close.body()).isEqualTo("{}");
    assertThat(predicate.body()).isEqualTo("{\"status\":\"\",\"code\":0}");
    PrioritizeResponse scores = VolcanoResponses.prioritize(bytes(prioritize));
    assertThat(scores.usable()).isTrue();
    assertThat(scores.nodeScore()).containsOnlyKeys("node-a", "node-b");
    assertThat(VolcanoResponses.event(bytes(allocate)).ok()).isTrue();
    assertThat(afterAllocate).isEqualTo("node-b");
    assertThat(VolcanoResponses.event(bytes(deallocate)).ok()).isTrue();
    assertThat(cluster.pod(task.pod().uid()).orElseThrow().annotations())
        .doesNotContainKey(VgpuAnnotations.VGPU_NODE);
    // the observer runs on the server right after the answer is handed to the socket
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(answered).containsKeys("predicate 200",
        "prioritize 200", "allocate 200", "deallocate 200", "onSessionOpen 200", "onSessionClose 200"));
  }

  @Test
  void rejectionCarriesTheReasonInStatus() throws Exception {
    ExtenderHttpServer server = start();
    TaskView tooBig = VolcanoFixtures.pendingTask("big", 1, 90_000, 0);

    PredicateResponse r = VolcanoResponses.predicate(bytes(post(server, "/predicate",
        REQUESTS.predicate(tooBig, nodes.get(0)))));

    assertThat(r.passes()).isFalse();
    assertThat(r.status()).isNotBlank();
    assertThat(r.code()).isIn(2, 3);
  }

  // ------------------------------------------------------------------------------------ health, metrics

  @Test
  void healthAndReadiness() throws Exception {
    ExtenderHttpServer server = start();

    assertThat(get(server, "/healthz").statusCode()).isEqualTo(200);
    HttpResponse<String> notReady = get(server, "/readyz");
    ready.set(true);
    HttpResponse<String> isReady = get(server, "/readyz");

    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(notReady.body()).isEqualTo("{\"status\":\"not ready\"}");
    assertThat(isReady.statusCode()).isEqualTo(200);
  }

  @Test
  void metricsAreServedOnlyWhenASupplierIsGiven() throws Exception {
    ExtenderHttpServer with = start(ExtenderHttpServer.Options.defaults("127.0.0.1", 0),
        Engines.over(cluster, SchedulingPolicy.BINPACK), () -> "# TYPE up gauge\nup 1\n");
    ExtenderHttpServer without = start();

    HttpResponse<String> scrape = get(with, "/metrics");

    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.body()).isEqualTo("# TYPE up gauge\nup 1\n");
    assertThat(scrape.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(get(without, "/metrics").statusCode()).isEqualTo(404);
  }

  // ------------------------------------------------------------------------------------------- bad calls

  @Test
  void unknownPathIs404AndWrongMethodIs405() throws Exception {
    ExtenderHttpServer server = start();

    HttpResponse<String> unknown = post(server, "/jobEnqueueable", "{}".getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> getPredicate = get(server, "/predicate");
    HttpResponse<String> postHealth = post(server, "/healthz", new byte[0]);

    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).startsWith("{\"error\":\"no such path: /jobEnqueueable");
    assertThat(getPredicate.statusCode()).isEqualTo(405);
    assertThat(getPredicate.headers().firstValue("allow")).hasValue("POST");
    assertThat(getPredicate.body()).isEqualTo("{\"error\":\"GET is not allowed on /predicate; use POST\"}");
    assertThat(postHealth.statusCode()).isEqualTo(405);
    assertThat(postHealth.headers().firstValue("allow")).hasValue("GET");
  }

  @Test
  void malformedJsonAndWrongTypesAre400WithAMessage() throws Exception {
    ExtenderHttpServer server = start();

    HttpResponse<String> malformed = post(server, "/predicate", "{\"task\": {".getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> wrongType = post(server, "/prioritize",
        "{\"task\": [], \"nodes\": []}".getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> empty = post(server, "/allocate", new byte[0]);

    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(malformed.body())
        .isEqualTo("{\"error\":\"malformed JSON in predicate body at byte 10 (in task): unexpected end-of-input\"}");
    assertThat(wrongType.statusCode()).isEqualTo(400);
    assertThat(wrongType.body()).isEqualTo("{\"error\":\"task: expected a TaskInfo object, got an array\"}");
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(empty.body()).contains("empty allocate body");
    for (HttpResponse<String> r : List.of(malformed, wrongType, empty)) {
      assertThat(r.body()).doesNotContain("Exception", "\\tat ");
    }
  }

  // ------------------------------------------------------------------------------------------ body limit

  @Test
  void bodyAnnouncedTooLargeIs413AndTheConnectionStaysUsable() throws Exception {
    ExtenderHttpServer server = start(ExtenderHttpServer.Options.defaults("127.0.0.1", 0).withMaxBodyBytes(64 * 1024),
        Engines.over(cluster, SchedulingPolicy.BINPACK), null);
    byte[] big = REQUESTS.prioritize(task, nodes);
    assertThat(big.length).isGreaterThan(64 * 1024);

    try (RawHttp raw = new RawHttp(server.port())) {
      RawHttp.Response tooLarge = raw.exchange("POST", "/prioritize", big);
      RawHttp.Response next = raw.exchange("POST", "/predicate", REQUESTS.predicate(task, NodeView.named("node-a")));

      assertThat(tooLarge.status()).isEqualTo(413);
      assertThat(tooLarge.body())
          .isEqualTo("{\"error\":\"request body is larger than the limit of 65536 bytes (--max-body-bytes)\"}");
      assertThat(next.status()).isEqualTo(200);
    }
    HttpResponse<String> viaClient = post(server, "/prioritize", big);
    assertThat(viaClient.statusCode()).isEqualTo(413);
  }

  @Test
  void chunkedBodyOverTheLimitIs413() throws Exception {
    ExtenderHttpServer server = start(ExtenderHttpServer.Options.defaults("127.0.0.1", 0).withMaxBodyBytes(64 * 1024),
        Engines.over(cluster, SchedulingPolicy.BINPACK), null);
    byte[] big = REQUESTS.prioritize(task, nodes);

    // an InputStream publisher has no length: the client sends Transfer-Encoding: chunked
    HttpResponse<String> r = client.send(
        HttpRequest.newBuilder(uri(server, "/prioritize"))
            .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build(),
        BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).contains("larger than the limit of 65536 bytes");
    assertThat(r.headers().firstValue("connection")).hasValue("close");
  }

  @Test
  void chunkedBodyUnderTheLimitIsServed() throws Exception {
    ExtenderHttpServer server = start();
    byte[] body = REQUESTS.prioritize(task, nodes);

    HttpResponse<String> r = client.send(
        HttpRequest.newBuilder(uri(server, "/prioritize"))
            .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
        BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(VolcanoResponses.prioritize(bytes(r)).nodeScore()).containsOnlyKeys("node-a", "node-b");
  }

  // ------------------------------------------------------------------------------------ connections

  @Test
  void oneConnectionServesManyRequestsAndPipelinedOnesInOrder() throws Exception {
    ExtenderHttpServer server = start();
    byte[] predicate = REQUESTS.predicate(task, nodes.get(0));

    try (RawHttp raw = new RawHttp(server.port())) {
      for (int i = 0; i < 5; i++) {
        RawHttp.Response r = raw.exchange("POST", "/predicate", predicate);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers()).doesNotContainEntry("connection", "close");
      }
      // three requests in one write: the slow one first, the answers must keep the order
      byte[] prioritize = REQUESTS.prioritize(task, nodes);
      raw.send(concat(RawHttp.request("POST", "/prioritize", prioritize), RawHttp.request("GET", "/healthz",
          new byte[0]), RawHttp.request("POST", "/predicate", predicate)));

      assertThat(raw.read().body()).startsWith("{\"nodeScore\":");
      assertThat(raw.read().body()).isEqualTo("{\"status\":\"ok\"}");
      assertThat(raw.read().body()).isEqualTo("{\"status\":\"\",\"code\":0}");
    }
  }

  @Test
  void manyPipelinedRequestsInOneWriteAreAllAnsweredInOrder() throws Exception {
    ExtenderHttpServer server = start();
    byte[] health = RawHttp.request("GET", "/healthz", new byte[0]);
    byte[] missing = RawHttp.request("GET", "/nope", new byte[0]);
    byte[] predicate = RawHttp.request("POST", "/predicate", REQUESTS.predicate(task, NodeView.named("node-a")));
    // Netty's codec allows 128 requests in flight on one connection; beyond that a client is not playing fair
    byte[][] all = new byte[120][];
    for (int i = 0; i < all.length; i++) {
      all[i] = i % 3 == 0 ? health : i % 3 == 1 ? missing : predicate;
    }

    try (RawHttp raw = new RawHttp(server.port())) {
      raw.send(concat(all));
      for (int i = 0; i < all.length; i++) {
        assertThat(raw.read().status()).as("answer %d", i).isEqualTo(i % 3 == 0 ? 200 : i % 3 == 1 ? 404 : 200);
      }
    }
  }

  @Test
  void connectionCloseIsHonoured() throws Exception {
    ExtenderHttpServer server = start();

    try (RawHttp raw = new RawHttp(server.port())) {
      RawHttp.Response r = raw.exchange("GET", "/healthz", new byte[0], "Connection: close");

      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers()).containsEntry("connection", "close");
      assertThat(raw.closedByServer()).isTrue();
    }
  }

  @Test
  void sixteenConcurrentPredicateClientsAllGetTheirAnswers() throws Exception {
    ExtenderHttpServer server = start();
    TaskView tooBig = VolcanoFixtures.pendingTask("big", 1, 90_000, 0);
    byte[] fits = REQUESTS.predicate(task, nodes.get(0));
    byte[] doesNot = REQUESTS.predicate(tooBig, nodes.get(0));
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int w = 0; w < 16; w++) {
        int worker = w;
        results.add(pool.submit(() -> {
          int ok = 0;
          for (int i = 0; i < 40; i++) {
            boolean expectFit = (i + worker) % 2 == 0;
            HttpResponse<String> r = post(server, "/predicate", expectFit ? fits : doesNot);
            PredicateResponse p = VolcanoResponses.predicate(bytes(r));
            if (r.statusCode() == 200 && p.passes() == expectFit) {
              ok++;
            }
          }
          return ok;
        }));
      }
      int total = 0;
      for (Future<Integer> f : results) {
        total += f.get(60, TimeUnit.SECONDS);
      }
      assertThat(total).isEqualTo(16 * 40);
      await().atMost(Duration.ofSeconds(5))
          .untilAsserted(() -> assertThat(answered.get("predicate 200")).hasValue(16 * 40));
    } finally {
      pool.shutdownNow();
    }
  }

  // ------------------------------------------------------------------------------- busy and shutdown

  @Test
  void closeLetsTheRequestInProgressFinish() throws Exception {
    BlockingWriter writer = new BlockingWriter(cluster);
    PlacementEngine engine = new PlacementEngine(NvidiaVendor.volcanoDefaults(), cluster, writer,
        NodeLock.DISABLED, EngineConfig.defaults(), Engines.FIXED);
    ExtenderHttpServer server = start(ExtenderHttpServer.Options.defaults("127.0.0.1", 0)
        .withShutdownTimeout(Duration.ofSeconds(10)), engine, null);
    cluster.putPod(task.pod());
    URI allocateUri = uri(server, "/allocate");
    CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(
        HttpRequest.newBuilder(allocateUri)
            .POST(BodyPublishers.ofByteArray(REQUESTS.allocate(VolcanoFixtures.allocated(task, "node-a")))).build(),
        BodyHandlers.ofString());
    assertThat(writer.entered.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> closing;
    try (RawHttp open = new RawHttp(server.port())) {
      assertThat(open.exchange("GET", "/healthz", new byte[0]).status()).isEqualTo(200); // accepted before close
      closing = CompletableFuture.runAsync(server::close);
      // a request on a connection that is still open is refused once close() has shut the workers down; from then
      // on close() can only be waiting for the allocate in flight
      await().atMost(Duration.ofSeconds(10))
          .until(() -> open.exchange("POST", "/predicate", REQUESTS.predicate(task, nodes.get(1))).status() == 503);
      assertThat(closing).as("close() waits for the request in progress").isNotDone();
    }
    writer.release.countDown();

    HttpResponse<String> r = inFlight.get(10, TimeUnit.SECONDS);
    closing.get(10, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"errorMessage\":\"\"}");
    assertThat(cluster.pod(task.pod().uid()).orElseThrow().annotations()).containsKey(VgpuAnnotations.VGPU_IDS_NEW);
    assertThat(client.sendAsync(HttpRequest.newBuilder(uri(server, "/healthz")).build(), BodyHandlers.ofString()))
        .failsWithin(Duration.ofSeconds(5));
  }

  @Test
  void fullWorkerQueueAnswers503() throws Exception {
    BlockingWriter writer = new BlockingWriter(cluster);
    PlacementEngine engine = new PlacementEngine(NvidiaVendor.volcanoDefaults(), cluster, writer,
        NodeLock.DISABLED, EngineConfig.defaults(), Engines.FIXED);
    ExtenderHttpServer server = start(ExtenderHttpServer.Options.defaults("127.0.0.1", 0).withWorkers(1, 1),
        engine, null);
    cluster.putPod(task.pod());
    try (RawHttp first = new RawHttp(server.port());
        RawHttp second = new RawHttp(server.port());
        RawHttp third = new RawHttp(server.port())) {
      first.send(RawHttp.request("POST", "/allocate", REQUESTS.allocate(VolcanoFixtures.allocated(task, "node-a"))));
      assertThat(writer.entered.await(10, TimeUnit.SECONDS)).isTrue();
      second.send(RawHttp.request("POST", "/predicate", REQUESTS.predicate(task, nodes.get(1))));
      await().atMost(Duration.ofSeconds(10)).until(() -> server.queuedRequests() == 1); // the queue of one is full

      RawHttp.Response busy = third.exchange("POST", "/predicate", REQUESTS.predicate(task, nodes.get(1)));
      writer.release.countDown();

      assertThat(busy.status()).isEqualTo(503);
      assertThat(busy.body()).contains("server busy");
      assertThat(first.read().status()).isEqualTo(200);
      assertThat(second.read().status()).isEqualTo(200);
    }
  }

  /** Writes through to the cluster once released, telling when a write has started. */
  private static final class BlockingWriter implements AssignmentWriter {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private final InMemoryCluster cluster;

    BlockingWriter(InMemoryCluster cluster) {
      this.cluster = cluster;
    }

    @Override
    public void patchAnnotations(PodView pod, Map<String, Optional<String>> changes) {
      entered.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      cluster.patchAnnotations(pod, changes);
    }
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] all = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }
}
