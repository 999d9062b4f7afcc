package io.github.volcanovgpu.plugin.bench;

import io.github.volcanovgpu.bridge.kube.KubeFixtures;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.device.ResourceNames;
import io.github.volcanovgpu.plugin.allocate.AllocationSettings;
import io.github.volcanovgpu.plugin.allocate.KubePodSource;
import io.github.volcanovgpu.plugin.allocate.NodePodWatch;
import io.github.volcanovgpu.plugin.allocate.PodSnapshot;
import io.github.volcanovgpu.plugin.allocate.VgpuAllocationHandler;
import io.github.volcanovgpu.process.kube.KubeJson;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateRequest;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * Allocate latency with real API lookups (not a test: run by scripts/device-plugin-figures.sh). For each of N pods
 * annotated as the sidecar annotates them and bound to one node (with 20 other Pending pods around), times the
 * device plugin's Allocate as the plugin runs it: the pod from the node's pod watch, one resourceVersion-guarded
 * patch verified on its response, the node lock released off the reply. Two rows: with the watch (the kubelet
 * learns about a pod through its own watch, so the harness waits until the plugin's watch has the pod, as it would
 * on a node), and without one (a field-selected LIST per Allocate, the fallback when the watch lags); and, measured
 * beside them on the same pods, the one guarded merge patch alone: the floor the API server sets.
 *
 * <p>Arguments: kubeconfig path, number of measured allocations.
 */
public final class AllocateLatencyHarness {
  private AllocateLatencyHarness() {}

  private static void createAnnotated(CoreV1Api api, String ns, String name, String node, String devices, int time)
      throws Exception {
    V1Pod pod = KubeFixtures.pod(ns, name, node, Map.of("volcano.sh/vgpu-number", "1",
        "volcano.sh/vgpu-memory", "1000"));
    KubeFixtures.createPod(api, KubeFixtures.assignedBySidecar(pod, node, devices, Integer.toString(time)));
  }

  public static void main(String[] args) throws Exception {
    KubeJson.ignoreUnknownFields();
    ApiClient client;
    try (Reader r = Files.newBufferedReader(Path.of(args[0]))) {
      client = ClientBuilder.kubeconfig(KubeConfig.loadKubeConfig(r)).build();
    }
    int n = Integer.parseInt(args[1]);
    CoreV1Api api = new CoreV1Api(client);
    String ns = "alloc-bench-" + System.currentTimeMillis();
    api.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(ns))).execute();
    String node = ns + "-node";
    String uuid = "GPU-00000000-0000-0000-0000-000000000001";
    for (int i = 0; i < 20; i++) { // other pods waiting on the node, asking for 2 cards (never matched)
      createAnnotated(api, ns, "other" + i, node, uuid + ",NVIDIA,1000,10:" + uuid.replace("1", "2")
          + ",NVIDIA,1000,10:", 1_000_000 + i);
    }
    Path hook = Files.createTempDirectory("hook");
    AllocationSettings settings = new AllocationSettings(ResourceNames.volcanoDefaults(), 1, 1.0, false, "", hook,
        node, hook.resolve("vgpu/containers"), Files.createTempDirectory("lock"));
    ApiClient watchClient =
        ClientBuilder.kubeconfig(KubeConfig.loadKubeConfig(Files.newBufferedReader(Path.of(args[0]))))
            .setReadTimeout(java.time.Duration.ZERO).build();
    ExecutorService lockRelease = Executors.newSingleThreadExecutor();
    try (NodePodWatch watch = new NodePodWatch(watchClient, node).start()) {
      while (!watch.hasSynced()) {
        Thread.sleep(10);
      }
      // warm-up (JIT, connection pool), not measured: a plugin serves for days
      measure("warm", api, ns, node, uuid, Math.max(20, n / 4), watch,
          new VgpuAllocationHandler(settings, new KubePodSource(client, watch), lockRelease));
      long[] floor = barePatches(api, new KubePodSource(client, watch), ns, node, uuid, n, watch);
      print("one bare merge patch of the pod (the floor: what the API server takes)", n, floor, floor);
      print("Allocate with the node's pod watch", n, measure("w", api, ns, node, uuid, n, watch,
          new VgpuAllocationHandler(settings, new KubePodSource(client, watch), lockRelease)), floor);
      print("Allocate with a LIST per call (no watch)", n, measure("l", api, ns, node, uuid, n, null,
          new VgpuAllocationHandler(settings, new KubePodSource(client), lockRelease)), floor);
    }
    lockRelease.shutdown();
    api.deleteNamespace(ns).execute();
  }

  /** Sorted latencies of {@code n} Allocates, each for a freshly annotated pod the watch (if any) has seen. */
  private static long[] measure(String prefix, CoreV1Api api, String ns, String node, String uuid, int n,
      @Nullable NodePodWatch watch, VgpuAllocationHandler handler) throws Exception {
    AllocateRequest request = AllocateRequest.newBuilder()
        .addContainerRequests(ContainerAllocateRequest.newBuilder().addDevicesIds(uuid + "-0")).build();
    long[] nanos = new long[n];
    for (int i = 0; i < n; i++) {
      String name = prefix + i;
      createAnnotated(api, ns, name, node, uuid + ",NVIDIA,1000,10:", i);
      awaitWatched(watch, name);
      long t = System.nanoTime();
      handler.allocate("volcano.sh/vgpu-number", request);
      nanos[i] = System.nanoTime() - t;
      api.deleteNamespacedPod(name, ns).gracePeriodSeconds(0).execute();
    }
    Arrays.sort(nanos);
    return nanos;
  }

  /** The same pods, but only the one guarded merge patch Allocate makes: the API server's share of the time. */
  private static long[] barePatches(CoreV1Api api, KubePodSource pods, String ns, String node, String uuid, int n,
      NodePodWatch watch) throws Exception {
    long[] nanos = new long[n];
    for (int i = 0; i < n; i++) {
      String name = "p" + i;
      createAnnotated(api, ns, name, node, uuid + ",NVIDIA,1000,10:", i);
      awaitWatched(watch, name);
      PodSnapshot pod = pods.watchedPendingPodsOnNode(node).stream().filter(p -> p.name().equals(name))
          .findFirst().orElseThrow();
      long t = System.nanoTime();
      pods.patchAnnotations(pod, Map.of(VgpuAnnotations.DEVICES_TO_ALLOCATE, Optional.of("")));
      nanos[i] = System.nanoTime() - t;
      api.deleteNamespacedPod(name, ns).gracePeriodSeconds(0).execute();
    }
    Arrays.sort(nanos);
    return nanos;
  }

  private static void awaitWatched(@Nullable NodePodWatch watch, String name) throws InterruptedException {
    while (watch != null && watch.pendingPods().orElse(List.of()).stream().noneMatch(p -> p.name().equals(name))) {
      Thread.sleep(1); // the kubelet has not seen it either
    }
  }

  private static void print(String what, int n, long[] sorted, long[] floor) {
    double p50 = sorted[n / 2] / 1e6;
    double p99 = sorted[(int) Math.min(n - 1, Math.ceil(n * 0.99) - 1)] / 1e6;
    double f50 = floor[n / 2] / 1e6;
    System.out.printf("| %s (%d pods, 20 others pending) | p50 %.1f ms, p99 %.1f ms, max %.1f ms | p50 %.2fx "
        + "the bare patch | p99 <= 20 ms |%n", what, n, p50, p99, sorted[n - 1] / 1e6, p50 / f50);
  }
}
