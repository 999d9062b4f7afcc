package io.github.volcanovgpu.bridge.kube;

import static io.github.volcanovgpu.bridge.kube.KubeFixtures.createNode;
import static io.github.volcanovgpu.bridge.kube.KubeFixtures.createPod;
import static io.github.volcanovgpu.bridge.kube.KubeFixtures.node;
import static io.github.volcanovgpu.bridge.kube.KubeFixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.EngineConfig;
import io.github.volcanovgpu.bridge.scheduling.EventResult;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.scheduling.PredicateResult;
import io.github.volcanovgpu.bridge.testing.TestNodes;
import io.github.volcanovgpu.bridge.vendor.nvidia.NvidiaVendor;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Binding;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine wired as the sidecar runs it: informer cache, annotation writer and node lock on a real API server.
 */
@RealApiServer
class KubeWiringIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final KubeClients clients;
  private final CoreV1Api api;
  private final TestNamespace ns;
  private final InformerClusterState state;

  KubeWiringIT(KubeClients clients, CoreV1Api api, TestNamespace ns) {
    this.clients = clients;
    this.api = api;
    this.ns = ns;
    this.state = new InformerClusterState(clients.watches());
  }

  @AfterEach
  void closeState() {
    state.close();
  }

  private PlacementEngine engine() {
    return new PlacementEngine(NvidiaVendor.volcanoDefaults(), state, new KubeAssignmentWriter(clients.requests()),
        new KubeNodeLock(clients.requests()), EngineConfig.defaults(), Clock.systemUTC());
  }

  private PodView gpuPod(String name, String memoryMib) throws Exception {
    return KubeModelMapper.podView(createPod(api,
        pod(ns.name(), name, "", Map.of("volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-memory", memoryMib))));
  }

  @Test
  void allocateWritesAnnotationsAndLockAndTheCacheThenCountsTheShare() throws Exception {
    String nodeName = ns.nodeName("gpu");
    NodeView template = TestNodes.node(nodeName).gpus(1, 8192).build();
    createNode(api, node(ns, nodeName, template.annotations(), template.allocatable()));
    PodView first = gpuPod("first", "6000");
    PodView second = gpuPod("second", "6000");
    state.start();
    assertThat(state.awaitSynced(WAIT)).isTrue();
    PlacementEngine engine = engine();

    assertThat(engine.predicate(TaskView.of(first), NodeView.named(nodeName)).isSuccess()).isTrue();
    EventResult result = engine.allocate(
        new TaskView(first.withNodeName(nodeName), TaskStatus.ALLOCATED, nodeName, Map.of()));

    assertThat(result.isOk()).as("allocate: %s", result).isTrue();
    Map<String, String> written = api.readNamespacedPod("first", ns.name()).execute().getMetadata().getAnnotations();
    assertThat(written)
        .containsEntry(VgpuAnnotations.VGPU_NODE, nodeName)
        .containsEntry(VgpuAnnotations.VGPU_IDS_NEW, "GPU-" + nodeName + "-0,NVIDIA,6000,0:")
        .containsEntry(VgpuAnnotations.BIND_PHASE, "allocating");
    assertThat(api.readNode(nodeName).execute().getMetadata().getAnnotations())
        .containsKey(KubeNodeLock.ANNOTATION);

    // Volcano binds the pod; a fresh engine (a restarted sidecar) rebuilds the share from the cached annotations
    api.createNamespacedBinding(ns.name(), new V1Binding().metadata(new V1ObjectMeta().name("first"))
        .target(new V1ObjectReference().kind("Node").name(nodeName))).execute();
    await().atMost(WAIT).until(() -> state.node(nodeName).orElseThrow().pods().stream()
        .anyMatch(p -> p.name().equals("first") && p.annotations().containsKey(VgpuAnnotations.VGPU_IDS_NEW)));
    PredicateResult secondFit = engine().predicate(TaskView.of(second), NodeView.named(nodeName));
    assertThat(secondFit.isSuccess()).as("second pod: %s", secondFit).isFalse();
  }
}
