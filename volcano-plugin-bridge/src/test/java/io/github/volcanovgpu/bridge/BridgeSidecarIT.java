package io.github.volcanovgpu.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sidecar exactly as {@code ./volcano-vgpu bridge --kubeconfig ...} starts it, against a real API server. */
@RealApiServer
class BridgeSidecarIT {
  private final CoreV1Api api;
  private final TestNamespace ns;
  private final Path kubeconfig;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final VolcanoRequests volcano = new VolcanoRequests(Instant.now());
  private BridgeCommand.Running sidecar;

  BridgeSidecarIT(CoreV1Api api, TestNamespace ns, Path kubeconfig) {
    this.api = api;
    this.ns = ns;
    this.kubeconfig = kubeconfig;
  }

  @AfterEach
  void stop() {
    if (sidecar != null) {
      sidecar.close();
    }
  }

  private byte[] post(String verb, byte[] body) throws Exception {
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/" + verb))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  private String url() {
    return "http://127.0.0.1:" + sidecar.http().port();
  }

  private PodView podView(V1Pod pod, long memoryMib) {
    return new PodView(pod.getMetadata().getUid(), ns.name(), pod.getMetadata().getName(), Map.of(),
        List.of(new ContainerView("main", Map.of("volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-memory",
            Long.toString(memoryMib)), Map.of())),
        List.of(), "", "Pending", "");
  }

  @Test
  void answersVolcanoFromTheInformerCacheAndWritesTheAnnotationsToTheApiServer() throws Exception {
    String nodeName = ns.nodeName("gpu");
    NodeView registered = TestNodes.node(nodeName).gpus(1, 8192).build();
    KubeFixtures.createNode(api, KubeFixtures.node(ns, nodeName, registered.annotations(), registered.allocatable()));
    V1Pod first = KubeFixtures.createPod(api, KubeFixtures.pod(ns.name(), "first", "",
        Map.of("volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-memory", "6000")));
    V1Pod second = KubeFixtures.createPod(api, KubeFixtures.pod(ns.name(), "second", "",
        Map.of("volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-memory", "6000")));

    BridgeCommand cmd = new BridgeCommand();
    cmd.kubeconfig = kubeconfig;
    cmd.httpBind = "127.0.0.1:0";
    cmd.grpcBind = "127.0.0.1:0";
    cmd.metricsBind = "";
    sidecar = cmd.start();
    await().atMost(Duration.ofSeconds(20)).until(() -> !sidecar.engine().needsNodeDetails());

    TaskView task = TaskView.of(podView(first, 6000));
    NodeView node = NodeView.named(nodeName);
    assertThat(VolcanoResponses.predicate(post("predicate", volcano.predicate(task, node))).passes()).isTrue();
    TaskView allocated = new TaskView(task.pod().withNodeName(nodeName), TaskStatus.ALLOCATED, nodeName, Map.of());
    assertThat(VolcanoResponses.event(post("allocate", volcano.allocate(allocated))).ok()).isTrue();

    Map<String, String> annotations =
        api.readNamespacedPod("first", ns.name()).execute().getMetadata().getAnnotations();
    assertThat(annotations)
        .containsEntry(VgpuAnnotations.VGPU_NODE, nodeName)
        .containsEntry(VgpuAnnotations.VGPU_IDS_NEW, "GPU-" + nodeName + "-0,NVIDIA,6000,0:")
        .containsEntry(VgpuAnnotations.BIND_PHASE, "allocating");

    var refused = VolcanoResponses.predicate(post("predicate", volcano.predicate(TaskView.of(podView(second, 6000)),
        node)));
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.status()).contains("INSUFFICIENT_MEMORY");

    String metrics = http.send(HttpRequest.newBuilder(URI.create(url() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(metrics).contains("volcano_vgpu_device_allocated_memory{NodeName=\"" + nodeName + "\"");
    assertThat(http.send(HttpRequest.newBuilder(URI.create(url() + "/readyz")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
  }
}
