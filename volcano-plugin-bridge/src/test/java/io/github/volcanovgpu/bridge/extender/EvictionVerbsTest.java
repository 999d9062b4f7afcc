package io.github.volcanovgpu.bridge.extender;

import static io.github.volcanovgpu.bridge.testing.TestNodes.node;
import static io.github.volcanovgpu.bridge.testing.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.simulate.InMemoryCluster;
import io.github.volcanovgpu.bridge.simulate.VolcanoRequests;
import io.github.volcanovgpu.bridge.testing.Engines;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fraction-aware preemption and reclaim through the extender's handlers, in Volcano's JSON (Go field names, as
 * {@code VolcanoRequests} writes Volcano's {@code PreemptableRequest}): the smallest set of evictees whose shares
 * let the evictor fit, never more; abstain where GPUs are not the reason; reject where no set helps.
 */
class EvictionVerbsTest {
  private final InMemoryCluster cluster = new InMemoryCluster();
  private final PlacementEngine engine = Engines.over(cluster, SchedulingPolicy.BINPACK);
  private final ExtenderEndpoint endpoint = new ExtenderEndpoint(engine);
  private final VolcanoRequests volcano = new VolcanoRequests(Instant.parse("2026-11-28T12:00:00Z"));

  private TaskView running(PodView pod, String node) {
    cluster.putPod(pod);
    assertThat(engine.allocate(new TaskView(pod.withNodeName(node), TaskStatus.ALLOCATED, node, Map.of())).isOk())
        .isTrue();
    cluster.bind(pod.uid(), node);
    PodView bound = cluster.pod(pod.uid()).orElseThrow();
    return new TaskView(bound, TaskStatus.RUNNING, node, bound.annotations());
  }

  private static TaskView pending(PodView pod) {
    return TaskView.of(pod);
  }

  private EvictionResponse ask(ExtenderVerb verb, TaskView evictor, TaskView... evictees) {
    ExtenderReply reply = endpoint.handle(verb, volcano.eviction(evictor, Arrays.asList(evictees)));
    assertThat(reply.httpStatus()).as(new String(reply.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    return VolcanoResponses.eviction(reply.body());
  }

  /** Two 16 GiB cards: a (12000) and c (4000) on card 0, b (13000) on card 1. */
  private TaskView[] fullNode() {
    cluster.putNode(node("n1").split(4).gpus(2, 16384).build());
    TaskView a = running(pod("a").gpu(1, 12000, 0).build(), "n1");
    TaskView b = running(pod("b").gpu(1, 13000, 0).build(), "n1");
    TaskView c = running(pod("c").gpu(1, 4000, 0).build(), "n1");
    return new TaskView[] {a, b, c};
  }

  @Test
  void preemptableNamesTheOneEvicteeWhoseShareFreesACardAndNoMore() {
    TaskView[] abc = fullNode();
    TaskView big = pending(pod("big").gpu(1, 10000, 0).build());

    EvictionResponse r = ask(ExtenderVerb.PREEMPTABLE, big, abc[2], abc[1], abc[0]);

    // c alone frees 4000 on card 0 (not enough); b, the next in Volcano's order, frees card 1
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.victims()).containsExactly(abc[1].pod().uid());
  }

  @Test
  void theVictimIsAnsweredAsTheTaskInfoVolcanoSent() {
    TaskView[] abc = fullNode();
    byte[] body = volcano.eviction(pending(pod("big").gpu(1, 10000, 0).build()), List.of(abc[1]));
    String answer = new String(endpoint.handle(ExtenderVerb.PREEMPTABLE, body).body(), StandardCharsets.UTF_8);
    String sent = new String(body, StandardCharsets.UTF_8);
    String evictee = sent.substring(sent.indexOf("\"evictees\":[") + "\"evictees\":[".length(), sent.length() - 2);
    assertThat(answer).isEqualTo("{\"status\":1,\"victims\":[" + evictee + "]}");
  }

  @Test
  void whenOneEvicteeIsNotEnoughItNamesEveryOneNeededButNotTheBystander() {
    cluster.putNode(node("n1").split(4).gpus(1, 16384).build());
    TaskView tiny = running(pod("tiny").gpu(1, 100, 0).build(), "n1");
    TaskView x = running(pod("x").gpu(1, 6000, 0).build(), "n1");
    TaskView y = running(pod("y").gpu(1, 6000, 0).build(), "n1");

    EvictionResponse r = ask(ExtenderVerb.PREEMPTABLE, pending(pod("z").gpu(1, 14000, 0).build()), tiny, x, y);

    assertThat(r.status()).isEqualTo(1);
    assertThat(r.victims()).containsExactly(x.pod().uid(), y.pod().uid());
  }

  @Test
  void acrossNodesTheNodeNeedingFewerVictimsWins() {
    cluster.putNode(node("n1").split(4).gpus(1, 16384).build());
    cluster.putNode(node("n2").split(4).gpus(1, 16384).build());
    TaskView x = running(pod("x").gpu(1, 6000, 0).build(), "n1");
    TaskView y = running(pod("y").gpu(1, 6000, 0).build(), "n1");
    TaskView w = running(pod("w").gpu(1, 9000, 0).build(), "n2");

    EvictionResponse r = ask(ExtenderVerb.PREEMPTABLE, pending(pod("z").gpu(1, 14000, 0).build()), x, y, w);

    assertThat(r.victims()).containsExactly(w.pod().uid());
  }

  @Test
  void reclaimableAnswersTheSameWay() {
    TaskView[] abc = fullNode();
    EvictionResponse r = ask(ExtenderVerb.RECLAIMABLE, pending(pod("big").gpu(1, 10000, 0).build()), abc);
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.victims()).hasSize(1).containsAnyOf(abc[0].pod().uid(), abc[1].pod().uid());
  }

  @Test
  void abstainsWhenTheEvictorAlreadyFitsItsGpuShare() {
    TaskView[] abc = fullNode();
    EvictionResponse r = ask(ExtenderVerb.PREEMPTABLE, pending(pod("small").gpu(1, 300, 0).build()), abc);
    assertThat(r.status()).isEqualTo(0);
    assertThat(r.victims()).isEmpty();
  }

  @Test
  void abstainsForAnEvictorAskingNoGpu() {
    TaskView[] abc = fullNode();
    EvictionResponse r = ask(ExtenderVerb.PREEMPTABLE, pending(pod("web").plainContainer().build()), abc);
    assertThat(r.status()).isEqualTo(0);
    assertThat(r.victims()).isEmpty();
  }

  @Test
  void rejectsWhenNoSetOfEvicteesFreesEnough() {
    TaskView[] abc = fullNode();
    // only c offered: 4000 freed on card 0 leaves 4384 free, short of 10000
    EvictionResponse shortOf = ask(ExtenderVerb.PREEMPTABLE, pending(pod("big").gpu(1, 10000, 0).build()), abc[2]);
    assertThat(shortOf.status()).isEqualTo(-1);
    assertThat(shortOf.victims()).isEmpty();
    // more than a whole card: no eviction ever helps
    EvictionResponse never = ask(ExtenderVerb.PREEMPTABLE, pending(pod("huge").gpu(1, 20000, 0).build()), abc);
    assertThat(never.status()).isEqualTo(-1);
    assertThat(never.victims()).isEmpty();
  }

  @Test
  void aBodyThatIsNotAnEvictionRequestIsA400NamingWhatIsMissing() {
    ExtenderReply r = endpoint.handle(ExtenderVerb.PREEMPTABLE,
        "{\"evictor\":{\"UID\":\"u\",\"Pod\":{}}}".getBytes(StandardCharsets.UTF_8));
    assertThat(r.httpStatus()).isEqualTo(400);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("has no \\\"evictees\\\"");
    ExtenderReply bad = endpoint.handle(ExtenderVerb.RECLAIMABLE,
        "{\"evictor\":{\"UID\":\"u\",\"Pod\":{}},\"evictees\":{}}".getBytes(StandardCharsets.UTF_8));
    assertThat(bad.httpStatus()).isEqualTo(400);
    assertThat(new String(bad.body(), StandardCharsets.UTF_8)).contains("evictees").contains("array");
  }

  @Test
  void theVerbsAreServedOverHttpAtTheirPaths() throws Exception {
    TaskView[] abc = fullNode();
    byte[] body = volcano.eviction(pending(pod("big").gpu(1, 10000, 0).build()), List.of(abc));
    try (ExtenderHttpServer server = new ExtenderHttpServer(ExtenderHttpServer.Options.defaults("127.0.0.1", 0),
        endpoint, () -> true, null, (route, status, nanos) -> {}).start()) {
      HttpClient http = HttpClient.newHttpClient();
      for (String verb : List.of("preemptable", "reclaimable")) {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
            + "/" + verb)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(VolcanoResponses.eviction(r.body()).status()).isEqualTo(1);
      }
    }
  }
}
