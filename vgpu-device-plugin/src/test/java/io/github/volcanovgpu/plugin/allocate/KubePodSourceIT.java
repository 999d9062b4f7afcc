package io.github.volcanovgpu.plugin.allocate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.bridge.kube.KubeFixtures;
import io.github.volcanovgpu.bridge.kube.RealApiServer;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.device.ResourceNames;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateRequest;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@RealApiServer
class KubePodSourceIT {
  private static final String DEVICES = "GPU-aaa,NVIDIA,3000,50:";

  @TempDir
  Path hook;

  private static V1Pod annotatedPod(TestNamespace ns, String name, String node, String vgpuTime) {
    V1Pod pod = KubeFixtures.pod(ns.name(), name, node, Map.of());
    pod.getSpec().getContainers().clear();
    pod.getSpec().addContainersItem(KubeFixtures.container("sidecar", Map.of("cpu", "100m")));
    pod.getSpec().addContainersItem(KubeFixtures.container("main", Map.of("volcano.sh/vgpu-number", "1")));
    return KubeFixtures.assignedBySidecar(pod, node, DEVICES, vgpuTime);
  }

  @Test
  void handlerAllocatesTheAnnotatedPendingPodAndRecordsSuccess(
      ApiClient client, CoreV1Api api, TestNamespace ns) throws ApiException {
    String node = ns.nodeName("gpu-1");
    KubeFixtures.createNode(api, KubeFixtures.node(ns, node,
        Map.of(VgpuAnnotations.NODE_LOCK, "2026-11-28T18:00:00Z"), Map.of()));
    // older, but Running (the #159 double-assignment case) and another node's pod (#52): both must stay untouched
    V1Pod running = KubeFixtures.createPod(api, annotatedPod(ns, "running", node, "1"));
    KubeFixtures.setPhase(api, running, "Running");
    KubeFixtures.createPod(api, annotatedPod(ns, "other-node", ns.nodeName("gpu-2"), "1"));
    V1Pod pending = KubeFixtures.createPod(api, annotatedPod(ns, "pending", node, "100"));

    AllocationSettings settings = new AllocationSettings(ResourceNames.volcanoDefaults(), 1, 1.0, false, "", hook,
        node, hook.resolve("vgpu/containers"), hook.resolve("vgpulock"));
    VgpuAllocationHandler handler = new VgpuAllocationHandler(settings, new KubePodSource(client));
    AllocateResponse response = handler.allocate("volcano.sh/vgpu-number", AllocateRequest.newBuilder()
        .addContainerRequests(ContainerAllocateRequest.newBuilder().addDevicesIds("GPU-aaa-2")).build());

    String uid = pending.getMetadata().getUid();
    assertThat(response.getContainerResponses(0).getEnvsMap())
        .containsEntry("NVIDIA_VISIBLE_DEVICES", "GPU-aaa")
        .containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "3000m")
        .containsEntry("CUDA_DEVICE_SM_LIMIT", "50")
        .containsEntry("CUDA_DEVICE_MEMORY_SHARED_CACHE", "/tmp/vgpu/" + uid + "_main.cache");
    Map<String, String> after = api.readNamespacedPod("pending", ns.name()).execute().getMetadata().getAnnotations();
    assertThat(after)
        .containsEntry(VgpuAnnotations.BIND_PHASE, VgpuAnnotations.BIND_PHASE_SUCCESS)
        .containsEntry(VgpuAnnotations.DEVICES_TO_ALLOCATE, "")
        .containsEntry(VgpuAnnotations.VGPU_TIME, VgpuAllocationHandler.DONE_VGPU_TIME);
    for (String untouched : List.of("running", "other-node")) {
      assertThat(api.readNamespacedPod(untouched, ns.name()).execute().getMetadata().getAnnotations())
          .containsEntry(VgpuAnnotations.DEVICES_TO_ALLOCATE, DEVICES)
          .containsEntry(VgpuAnnotations.BIND_PHASE, VgpuAnnotations.BIND_PHASE_ALLOCATING);
    }
    Map<String, String> nodeAnnotations = api.readNode(node).execute().getMetadata().getAnnotations();
    assertThat(nodeAnnotations == null ? Map.of() : nodeAnnotations).doesNotContainKey(VgpuAnnotations.NODE_LOCK);
  }

  @Test
  void fieldSelectorListsOnlyPendingPodsOfTheNode(ApiClient client, CoreV1Api api, TestNamespace ns)
      throws ApiException {
    String node = ns.nodeName("sel");
    V1Pod running = KubeFixtures.createPod(api, annotatedPod(ns, "sel-running", node, "1"));
    KubeFixtures.setPhase(api, running, "Running");
    KubeFixtures.createPod(api, annotatedPod(ns, "sel-other", ns.nodeName("sel-2"), "1"));
    KubeFixtures.createPod(api, annotatedPod(ns, "sel-pending", node, "1"));

    List<PodSnapshot> pods = new KubePodSource(client).pendingPodsOnNode(node);

    assertThat(pods).extracting(PodSnapshot::name).containsExactly("sel-pending");
    PodSnapshot p = pods.get(0);
    assertThat(p.containers()).extracting(PodSnapshot.Container::name).containsExactly("sidecar", "main");
    assertThat(p.containers().get(1).limits()).containsEntry("volcano.sh/vgpu-number", "1");
    assertThat(p.phase()).isEqualTo("Pending");
  }

  @Test
  void nodeWatchSeesOnlyThisNodesPodsAndNeverShowsAnOwnPatchAsUndone(ApiClient client, KubeClients clients,
      CoreV1Api api, TestNamespace ns) throws Exception {
    String node = ns.nodeName("watch");
    V1Pod running = KubeFixtures.createPod(api, annotatedPod(ns, "w-running", node, "1"));
    KubeFixtures.setPhase(api, running, "Running");
    KubeFixtures.createPod(api, annotatedPod(ns, "w-other", ns.nodeName("watch-2"), "1"));
    V1Pod pending = KubeFixtures.createPod(api, annotatedPod(ns, "w-pending", node, "1"));

    try (NodePodWatch watch = new NodePodWatch(clients.watches(), node).start()) {
      KubePodSource source = new KubePodSource(client, watch);
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
          .until(() -> watch.pendingPods().map(List::size).orElse(0) == 1);
      assertThat(source.watchedPendingPodsOnNode(node)).extracting(PodSnapshot::name).containsExactly("w-pending");
      assertThat(watch.podUids().orElseThrow())
          .containsExactlyInAnyOrder(running.getMetadata().getUid(), pending.getMetadata().getUid());

      PodSnapshot observed = source.watchedPendingPodsOnNode(node).get(0);
      source.patchAnnotations(observed, Map.of(VgpuAnnotations.DEVICES_TO_ALLOCATE, Optional.of("")));

      assertThat(source.watchedPendingPodsOnNode(node)).singleElement()
          .satisfies(p -> assertThat(p.annotation(VgpuAnnotations.DEVICES_TO_ALLOCATE)).isEmpty());
    }
  }

  @Test
  void patchWithAStaleResourceVersionIsAConflictAndMissingPodsAreNotFound(
      ApiClient client, CoreV1Api api, TestNamespace ns) throws ApiException {
    KubeFixtures.createPod(api, annotatedPod(ns, "stale", ns.nodeName("x"), "1"));
    KubePodSource source = new KubePodSource(client);
    PodSnapshot observed = source.readPod(ns.name(), "stale");
    source.patchAnnotations(observed, Map.of("example.com/touch", Optional.of("1")));

    assertThatThrownBy(() -> source.patchAnnotations(observed, Map.of("example.com/touch", Optional.of("2"))))
        .isInstanceOfSatisfying(PodSourceException.class, e -> {
          assertThat(e.kind()).isEqualTo(PodSourceException.Kind.CONFLICT);
          assertThat(e.getMessage()).contains("pod " + ns.name() + "/stale", "HTTP 409");
        });
    assertThatThrownBy(() -> source.readPod(ns.name(), "missing"))
        .isInstanceOfSatisfying(PodSourceException.class,
            e -> assertThat(e.kind()).isEqualTo(PodSourceException.Kind.NOT_FOUND));
    String unlocked = ns.nodeName("unlocked");
    KubeFixtures.createNode(api, KubeFixtures.node(ns, unlocked, Map.of(), Map.of()));
    assertThat(source.releaseNodeLock(unlocked, VgpuAnnotations.NODE_LOCK)).isFalse();
    assertThatThrownBy(() -> source.releaseNodeLock(ns.nodeName("missing"), VgpuAnnotations.NODE_LOCK))
        .isInstanceOfSatisfying(PodSourceException.class,
            e -> assertThat(e.kind()).isEqualTo(PodSourceException.Kind.NOT_FOUND));
  }
}
