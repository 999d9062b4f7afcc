package io.github.volcanovgpu.plugin.bench;

import io.github.volcanovgpu.bridge.kube.KubeFixtures;
import io.github.volcanovgpu.contract.device.ResourceNames;
import io.github.volcanovgpu.contract.kube.KubeJson;
import io.github.volcanovgpu.plugin.allocate.AllocationSettings;
import io.github.volcanovgpu.plugin.allocate.KubePodSource;
import io.github.volcanovgpu.plugin.allocate.VgpuAllocationHandler;
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
import java.util.Map;

/**
 * Allocate latency with real API lookups (not a test: run by scripts/device-plugin-figures.sh). For each of N pods
 * annotated as the sidecar annotates them and bound to one node (with 20 other Pending pods around), times the
 * device plugin's Allocate: list Pending pods on the node, pick, patch, read back. Prints p50 / p99 / max.
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
    VgpuAllocationHandler handler = new VgpuAllocationHandler(settings, new KubePodSource(client));
    AllocateRequest request = AllocateRequest.newBuilder()
        .addContainerRequests(ContainerAllocateRequest.newBuilder().addDevicesIds(uuid + "-0")).build();
    long[] nanos = new long[n];
    for (int i = 0; i < n; i++) {
      createAnnotated(api, ns, "p" + i, node, uuid + ",NVIDIA,1000,10:", i);
      long t = System.nanoTime();
      handler.allocate("volcano.sh/vgpu-number", request);
      nanos[i] = System.nanoTime() - t;
      api.deleteNamespacedPod("p" + i, ns).gracePeriodSeconds(0).execute();
    }
    Arrays.sort(nanos);
    System.out.printf("| Allocate with API lookups (%d pods, 20 others pending on the node) | p50 %.1f ms, p99 %.1f ms, max %.1f ms "
        + "| p99 <= 20 ms |%n", n, nanos[n / 2] / 1e6, nanos[(int) Math.min(n - 1, Math.ceil(n * 0.99) - 1)] / 1e6,
        nanos[n - 1] / 1e6);
    api.deleteNamespace(ns).execute();
  }
}
