package io.github.volcanovgpu.bridge.kube;

import static io.github.volcanovgpu.bridge.kube.KubeFixtures.createNode;
import static io.github.volcanovgpu.bridge.kube.KubeFixtures.createPod;
import static io.github.volcanovgpu.bridge.kube.KubeFixtures.deletePodNow;
import static io.github.volcanovgpu.bridge.kube.KubeFixtures.node;
import static io.github.volcanovgpu.bridge.kube.KubeFixtures.pod;
import static io.github.volcanovgpu.bridge.kube.KubeFixtures.setPhase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.util.PatchUtils;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sidecar's informer cache against the real API server. The informers' watches are paced ({@link PacedWatch}:
 * each event {@value #EVENT_DELAY_MILLIS} ms after the one before), as on a loaded machine, so a test that reads the
 * cache before the event that completes the state it checks fails every time instead of once in a while: every
 * test awaits the whole state it then asserts on.
 */
@RealApiServer
class InformerClusterStateIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final long EVENT_DELAY_MILLIS = 300;

  private final KubeClients clients;
  private final Path kubeconfig;
  private final CoreV1Api api;
  private final TestNamespace ns;
  private InformerClusterState state;

  InformerClusterStateIT(KubeClients clients, Path kubeconfig, CoreV1Api api, TestNamespace ns) {
    this.clients = clients;
    this.kubeconfig = kubeconfig;
    this.api = api;
    this.ns = ns;
  }

  @BeforeEach
  void createState() {
    state = new InformerClusterState(PacedWatch.pacing(KubeClients.fromKubeconfig(kubeconfig).watches(),
        Duration.ofMillis(EVENT_DELAY_MILLIS)));
  }

  @AfterEach
  void closeState() {
    state.close();
  }

  private List<String> podNames(String node) {
    return state.node(node).map(view -> view.pods().stream().map(PodView::name).sorted().toList()).orElse(List.of());
  }

  @Test
  void isNotSyncedBeforeStartAndSyncedAfterTheInitialLists() throws Exception {
    assertThat(state.isSynced()).isFalse();

    state.start();

    assertThat(state.awaitSynced(WAIT)).isTrue();
    assertThat(state.isSynced()).isTrue();
  }

  @Test
  void objectsThatExistedBeforeStartAreIndexedOnceSynced() throws Exception {
    String nodeName = ns.nodeName("pre");
    createNode(api, node(ns, nodeName, Map.of("volcano.sh/node-vgpu-register", "reg"), Map.of("cpu", "8")));
    createPod(api, pod(ns.name(), "pre-1", nodeName, Map.of("volcano.sh/vgpu-number", "1")));

    state.start();
    assertThat(state.awaitSynced(WAIT)).isTrue();

    // synced means the index already reflects the initial list, without further waiting
    assertThat(podNames(nodeName)).containsExactly("pre-1");
    assertThat(state.node(nodeName).orElseThrow().annotations())
        .containsEntry("volcano.sh/node-vgpu-register", "reg");
  }

  @Test
  void nodeViewHasAnnotationsAllocatableAndOnlyTheNonTerminatedPodsOfThatNode() throws Exception {
    state.start();
    assertThat(state.awaitSynced(WAIT)).isTrue();
    String gpu1 = ns.nodeName("gpu-1");
    String gpu2 = ns.nodeName("gpu-2");
    createNode(api, node(ns, gpu1, Map.of("volcano.sh/node-vgpu-register", "GPU-a,10,32768,100,NVIDIA-A100,0,true:"),
        Map.of("volcano.sh/vgpu-number", "20", "cpu", "16", "memory", "64Gi")));
    createNode(api, node(ns, gpu2, Map.of(), Map.of("volcano.sh/vgpu-number", "10")));
    createPod(api,
        pod(ns.name(), "on-1", gpu1, Map.of("volcano.sh/vgpu-number", "2", "volcano.sh/vgpu-memory", "3000")));
    createPod(api, pod(ns.name(), "on-2", gpu2, Map.of("volcano.sh/vgpu-number", "1")));
    createPod(api, pod(ns.name(), "unbound", "", Map.of("volcano.sh/vgpu-number", "1")));
    V1Pod finished = createPod(api, pod(ns.name(), "finished", gpu1, Map.of("volcano.sh/vgpu-number", "1")));
    V1Pod failed = createPod(api, pod(ns.name(), "failed", gpu1, Map.of()));
    setPhase(api, finished, "Succeeded");
    setPhase(api, failed, "Failed");
    V1Pod running = createPod(api, pod(ns.name(), "running", gpu1, Map.of()));
    setPhase(api, running, "Running");

    // the whole state, up to its last events (running's phase, gpu-1's status written after its create), before
    // reading it: the pod names alone are right from running's creation on, one event before its phase
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(podNames(gpu1)).containsExactly("on-1", "running");
      assertThat(podNames(gpu2)).containsExactly("on-2");
      assertThat(state.node(gpu1)).hasValueSatisfying(v -> {
        assertThat(v.allocatable()).containsEntry("volcano.sh/vgpu-number", "20");
        assertThat(v.pods()).filteredOn(p -> p.name().equals("running")).singleElement()
            .satisfies(p -> assertThat(p.phase()).isEqualTo("Running"));
      });
    });
    NodeView view = state.node(gpu1).orElseThrow();
    assertThat(view.detailed()).isTrue();
    assertThat(view.annotations())
        .containsEntry("volcano.sh/node-vgpu-register", "GPU-a,10,32768,100,NVIDIA-A100,0,true:");
    assertThat(view.allocatable())
        .containsEntry("volcano.sh/vgpu-number", "20").containsEntry("cpu", "16").containsEntry("memory", "64Gi");
    PodView onOne = view.pods().stream().filter(p -> p.name().equals("on-1")).findFirst().orElseThrow();
    assertThat(onOne.namespace()).isEqualTo(ns.name());
    assertThat(onOne.uid()).isNotEmpty();
    assertThat(onOne.resourceVersion()).isNotEmpty();
    assertThat(onOne.nodeName()).isEqualTo(gpu1);
    assertThat(onOne.phase()).isEqualTo("Pending");
    assertThat(onOne.containers()).singleElement().satisfies(c -> assertThat(c.limits())
        .containsOnly(Map.entry("volcano.sh/vgpu-number", "2"), Map.entry("volcano.sh/vgpu-memory", "3k")));
    PodView runningView = view.pods().stream().filter(p -> p.name().equals("running")).findFirst().orElseThrow();
    assertThat(runningView.phase()).isEqualTo("Running");
  }

  @Test
  void podDeletionAndTerminationRemoveThePodFromItsNode() throws Exception {
    state.start();
    assertThat(state.awaitSynced(WAIT)).isTrue();
    String nodeName = ns.nodeName("churn");
    createNode(api, node(ns, nodeName, Map.of(), Map.of()));
    createPod(api, pod(ns.name(), "short", nodeName, Map.of()));
    V1Pod done = createPod(api, pod(ns.name(), "done", nodeName, Map.of()));
    await().atMost(WAIT).until(() -> podNames(nodeName).equals(List.of("done", "short")));

    deletePodNow(api, ns.name(), "short");
    setPhase(api, done, "Succeeded");

    await().atMost(WAIT).until(() -> podNames(nodeName).isEmpty());
    assertThat(state.node(nodeName)).isPresent();
  }

  @Test
  void annotationChangesAndBindingAreReflected() throws Exception {
    state.start();
    assertThat(state.awaitSynced(WAIT)).isTrue();
    String nodeName = ns.nodeName("bind");
    createNode(api, node(ns, nodeName, Map.of(), Map.of()));
    createPod(api, pod(ns.name(), "later", "", Map.of()));

    PatchUtils.patch(V1Pod.class,
        () -> api.patchNamespacedPod("later", ns.name(),
            new V1Patch("{\"metadata\":{\"annotations\":{\"volcano.sh/vgpu-node\":\"" + nodeName + "\"}}}"))
            .buildCall(null),
        V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, clients.requests());
    api.createNamespacedBinding(ns.name(), new io.kubernetes.client.openapi.models.V1Binding()
        .metadata(new io.kubernetes.client.openapi.models.V1ObjectMeta().name("later"))
        .target(new io.kubernetes.client.openapi.models.V1ObjectReference().kind("Node").name(nodeName))).execute();

    // an absent node is an assertion failure (awaited again), not an exception that ends the wait
    await().atMost(WAIT).untilAsserted(() -> assertThat(state.node(nodeName)).hasValueSatisfying(v -> assertThat(
        v.pods()).singleElement()
        .satisfies(p -> assertThat(p.annotations()).containsEntry("volcano.sh/vgpu-node", nodeName))));
  }

  @Test
  void deletedNodeDisappearsAndUnknownNodeIsEmpty() throws Exception {
    state.start();
    assertThat(state.awaitSynced(WAIT)).isTrue();
    String nodeName = ns.nodeName("gone");
    createNode(api, node(ns, nodeName, Map.of(), Map.of()));
    await().atMost(WAIT).until(() -> state.node(nodeName).isPresent());

    api.deleteNode(nodeName).gracePeriodSeconds(0).execute();

    await().atMost(WAIT).until(() -> state.node(nodeName).isEmpty());
    assertThat(state.node(ns.nodeName("never-created"))).isEmpty();
  }
}
