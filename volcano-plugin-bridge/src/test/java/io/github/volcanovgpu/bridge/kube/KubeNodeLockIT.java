package io.github.volcanovgpu.bridge.kube;

import static io.github.volcanovgpu.bridge.kube.KubeFixtures.createNode;
import static io.github.volcanovgpu.bridge.kube.KubeFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.scheduling.NodeLock.NodeLockException;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@RealApiServer
class KubeNodeLockIT {
  private static final Instant NOW = Instant.parse("2030-01-01T12:00:00Z");

  private final ApiClient client;
  private final CoreV1Api api;
  private final TestNamespace ns;
  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  private final List<Duration> slept = Collections.synchronizedList(new ArrayList<>());

  KubeNodeLockIT(ApiClient client, CoreV1Api api, TestNamespace ns) {
    this.client = client;
    this.api = api;
    this.ns = ns;
  }

  private KubeNodeLock lock() {
    return new KubeNodeLock(client, clock, slept::add, () -> 0.0, Backoff.NODE_LOCK);
  }

  private PodView pod(String name) {
    return new PodView("uid-" + name, ns.name(), name, Map.of(), List.of(), List.of(), "", "", "");
  }

  private String newNode(String suffix, Map<String, String> annotations) throws Exception {
    String name = ns.nodeName(suffix);
    createNode(api, node(ns, name, annotations, Map.of()));
    return name;
  }

  private Map<String, String> annotations(String node) throws Exception {
    Map<String, String> annotations = api.readNode(node).execute().getMetadata().getAnnotations();
    return annotations == null ? Map.of() : annotations;
  }

  @Test
  void lockWritesTheCurrentTimeAsRfc3339() throws Exception {
    String node = newNode("free", Map.of("other", "kept"));

    lock().lock(node, KubeNodeLock.ANNOTATION, pod("p1"));

    assertThat(annotations(node))
        .containsEntry(KubeNodeLock.ANNOTATION, "2030-01-01T12:00:00Z")
        .containsEntry("other", "kept");
    assertThat(slept).isEmpty();
  }

  @Test
  void secondLockFailsAfterFiveAttemptsWithVolcanosMessage() throws Exception {
    String node = newNode("busy", Map.of());
    lock().lock(node, KubeNodeLock.ANNOTATION, pod("first"));

    assertThatThrownBy(() -> lock().lock(node, KubeNodeLock.ANNOTATION, pod("second")))
        .isInstanceOf(NodeLockException.class)
        .hasMessage("node " + node + " has been locked within 5 minutes (pod " + ns.name()
            + "/second, gave up after 5 attempts)");
    assertThat(slept).containsExactly(
        Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800));
  }

  @Test
  void lockYoungerThanFiveMinutesIsRespected() throws Exception {
    String node = newNode("young", Map.of(KubeNodeLock.ANNOTATION, "2030-01-01T11:55:00Z"));

    assertThatThrownBy(() -> lock().lock(node, KubeNodeLock.ANNOTATION, pod("p")))
        .isInstanceOf(NodeLockException.class)
        .hasMessageStartingWith("node " + node + " has been locked within 5 minutes");
    assertThat(annotations(node)).containsEntry(KubeNodeLock.ANNOTATION, "2030-01-01T11:55:00Z");
  }

  @Test
  void expiredLockIsTakenOver() throws Exception {
    String node = newNode("expired", Map.of(KubeNodeLock.ANNOTATION, "2030-01-01T11:54:59+00:00"));

    lock().lock(node, KubeNodeLock.ANNOTATION, pod("p"));

    assertThat(annotations(node)).containsEntry(KubeNodeLock.ANNOTATION, "2030-01-01T12:00:00Z");
    assertThat(slept).isEmpty();
  }

  @Test
  void releaseRemovesTheLockThisProcessTook() throws Exception {
    String node = newNode("release", Map.of("other", "kept"));
    KubeNodeLock lock = lock();
    lock.lock(node, KubeNodeLock.ANNOTATION, pod("p"));

    lock.release(node, KubeNodeLock.ANNOTATION, pod("p"));

    assertThat(annotations(node)).doesNotContainKey(KubeNodeLock.ANNOTATION).containsEntry("other", "kept");
  }

  @Test
  void releaseLeavesALockThatIsNoLongerOurs() throws Exception {
    String node = newNode("replaced", Map.of());
    KubeNodeLock lock = lock();
    lock.lock(node, KubeNodeLock.ANNOTATION, pod("p"));
    // the device plugin released it and another scheduler took it since
    io.kubernetes.client.util.PatchUtils.patch(io.kubernetes.client.openapi.models.V1Node.class,
        () -> api.patchNode(node, new io.kubernetes.client.custom.V1Patch(
            "{\"metadata\":{\"annotations\":{\"hamivgpu\":\"2030-01-01T12:00:30Z\"}}}")).buildCall(null),
        io.kubernetes.client.custom.V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client);

    lock.release(node, KubeNodeLock.ANNOTATION, pod("p"));
    lock.release(node, KubeNodeLock.ANNOTATION, pod("someone-else"));

    assertThat(annotations(node)).containsEntry(KubeNodeLock.ANNOTATION, "2030-01-01T12:00:30Z");
  }

  @Test
  void concurrentLockersOnOneNodeHaveExactlyOneWinner() throws Exception {
    int lockers = 6;
    ExecutorService pool = Executors.newFixedThreadPool(lockers);
    try {
      for (int round = 0; round < 3; round++) {
        String node = newNode("race-" + round, Map.of());
        CyclicBarrier start = new CyclicBarrier(lockers);
        List<Future<Boolean>> outcomes = new ArrayList<>();
        for (int i = 0; i < lockers; i++) {
          PodView pod = pod("racer-" + i);
          // separate instances: as separate scheduler replicas, nothing shared but the API server
          KubeNodeLock lock = new KubeNodeLock(client, clock, duration -> {}, () -> 0.0, Backoff.NODE_LOCK);
          Callable<Boolean> attempt = () -> {
            start.await();
            try {
              lock.lock(node, KubeNodeLock.ANNOTATION, pod);
              return true;
            } catch (NodeLockException e) {
              assertThat(e).hasMessageStartingWith("node " + node + " has been locked within 5 minutes");
              return false;
            }
          };
          outcomes.add(pool.submit(attempt));
        }
        int winners = 0;
        for (Future<Boolean> outcome : outcomes) {
          winners += outcome.get() ? 1 : 0;
        }
        assertThat(winners).as("winners of round %d", round).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void missingNodeFailsAtOnceNamingTheNode() {
    String node = ns.nodeName("absent");

    assertThatThrownBy(() -> lock().lock(node, KubeNodeLock.ANNOTATION, pod("p")))
        .isInstanceOf(NodeLockException.class)
        .hasMessage("cannot read node " + node + ": node not found (HTTP 404 NotFound: nodes \"" + node
            + "\" not found)");
    assertThat(slept).isEmpty();
  }

  @Test
  void unreadableLockValueIsReportedWithTheFix() throws Exception {
    String node = newNode("garbage", Map.of(KubeNodeLock.ANNOTATION, "yesterday"));

    assertThatThrownBy(() -> lock().lock(node, KubeNodeLock.ANNOTATION, pod("p")))
        .isInstanceOf(NodeLockException.class)
        .hasMessage("node " + node + " has an unreadable lock annotation hamivgpu=\"yesterday\" (expected an RFC 3339"
            + " time); remove the annotation to unlock the node");
  }
}
