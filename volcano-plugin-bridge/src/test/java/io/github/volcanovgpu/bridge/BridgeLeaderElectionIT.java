package io.github.volcanovgpu.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.volcanovgpu.bridge.extender.EventResponse;
import io.github.volcanovgpu.bridge.extender.VolcanoResponses;
import io.github.volcanovgpu.bridge.kube.KubeFixtures;
import io.github.volcanovgpu.bridge.kube.RealApiServer;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.simulate.VolcanoRequests;
import io.github.volcanovgpu.bridge.testing.TestNodes;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two sidecar replicas started as {@code ./volcano-vgpu bridge --leader-elect ...} against a real API server: one
 * is ready and decides, the other is not ready and refuses allocate; when the leader stops, the other takes over.
 */
@RealApiServer
class BridgeLeaderElectionIT {
  private final CoreV1Api api;
  private final TestNamespace ns;
  private final Path kubeconfig;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final VolcanoRequests volcano = new VolcanoRequests(Instant.now());
  private final List<BridgeCommand.Running> replicas = new ArrayList<>();

  BridgeLeaderElectionIT(CoreV1Api api, TestNamespace ns, Path kubeconfig) {
    this.api = api;
    this.ns = ns;
    this.kubeconfig = kubeconfig;
  }

  @AfterEach
  void stop() {
    replicas.forEach(BridgeCommand.Running::close);
  }

  private BridgeCommand.Running replica(String identity) throws Exception {
    BridgeCommand cmd = new BridgeCommand();
    cmd.kubeconfig = kubeconfig;
    cmd.httpBind = "127.0.0.1:0";
    cmd.grpcBind = "";
    cmd.metricsBind = "";
    cmd.leaderElect = true;
    cmd.leaseName = "sidecar";
    cmd.leaseNamespace = ns.name();
    cmd.leaseIdentity = identity;
    cmd.leaseDuration = Duration.ofSeconds(3);
    cmd.renewDeadline = Duration.ofSeconds(2);
    cmd.retryPeriod = Duration.ofMillis(300);
    BridgeCommand.Running running = cmd.start();
    replicas.add(running);
    return running;
  }

  private int readyz(BridgeCommand.Running replica) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url(replica) + "/readyz")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private EventResponse allocate(BridgeCommand.Running replica, TaskView task) throws Exception {
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url(replica) + "/allocate"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(volcano.allocate(task))).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    return VolcanoResponses.event(r.body());
  }

  private static String url(BridgeCommand.Running replica) {
    return "http://127.0.0.1:" + replica.http().port();
  }

  private TaskView allocated(V1Pod pod, String node) {
    PodView view = new PodView(pod.getMetadata().getUid(), ns.name(), pod.getMetadata().getName(), Map.of(),
        List.of(new ContainerView("main", Map.of("volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-memory", "2000"),
            Map.of())),
        List.of(), node, "Pending", "");
    return new TaskView(view, TaskStatus.ALLOCATED, node, Map.of());
  }

  private Map<String, String> annotations(String pod) throws Exception {
    Map<String, String> a = api.readNamespacedPod(pod, ns.name()).execute().getMetadata().getAnnotations();
    return a == null ? Map.of() : a;
  }

  @Test
  void onlyTheLeaderIsReadyAndAllocatesAndTheOtherTakesOverWhenItStops() throws Exception {
    String nodeName = ns.nodeName("gpu");
    NodeView registered = TestNodes.node(nodeName).gpus(1, 8192).build();
    KubeFixtures.createNode(api, KubeFixtures.node(ns, nodeName, registered.annotations(), registered.allocatable()));
    V1Pod first = KubeFixtures.createPod(api, KubeFixtures.pod(ns.name(), "first", "",
        Map.of("volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-memory", "2000")));
    V1Pod second = KubeFixtures.createPod(api, KubeFixtures.pod(ns.name(), "second", "",
        Map.of("volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-memory", "2000")));

    BridgeCommand.Running a = replica("replica-a");
    BridgeCommand.Running b = replica("replica-b");
    await().atMost(Duration.ofSeconds(20)).until(() -> a.election().isLeader() || b.election().isLeader());
    BridgeCommand.Running leader = a.election().isLeader() ? a : b;
    BridgeCommand.Running follower = leader == a ? b : a;
    await().atMost(Duration.ofSeconds(20)).until(() -> !leader.engine().needsNodeDetails()
        && !follower.engine().needsNodeDetails());

    assertThat(readyz(leader)).isEqualTo(200);
    assertThat(readyz(follower)).isEqualTo(503);

    EventResponse refused = allocate(follower, allocated(first, nodeName));
    assertThat(refused.ok()).isFalse();
    assertThat(refused.errorMessage()).contains("not the leader").contains(follower.election().settings().identity());
    assertThat(annotations("first")).doesNotContainKey(VgpuAnnotations.VGPU_NODE);

    assertThat(allocate(leader, allocated(first, nodeName)).ok()).isTrue();
    assertThat(annotations("first")).containsEntry(VgpuAnnotations.VGPU_NODE, nodeName);

    leader.close();
    await().atMost(Duration.ofSeconds(20)).until(() -> follower.election().isLeader());
    assertThat(readyz(follower)).isEqualTo(200);
    assertThat(allocate(follower, allocated(second, nodeName)).ok()).isTrue();
    assertThat(annotations("second")).containsEntry(VgpuAnnotations.VGPU_NODE, nodeName);
  }

  @Test
  void leaderElectionWithoutAnApiServerIsRejectedWithAClearReason() {
    BridgeCommand cmd = new BridgeCommand();
    cmd.noKube = true;
    cmd.leaderElect = true;
    cmd.httpBind = "127.0.0.1:0";
    org.assertj.core.api.Assertions.assertThatThrownBy(cmd::start)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--leader-elect").hasMessageContaining("--no-kube");
  }
}
