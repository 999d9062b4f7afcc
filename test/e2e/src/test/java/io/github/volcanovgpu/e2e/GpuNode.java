package io.github.volcanovgpu.e2e;

import static org.awaitility.Awaitility.await;

import io.github.volcanovgpu.bridge.kube.KubeFixtures;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.plugin.DevicePlugin;
import io.github.volcanovgpu.plugin.register.NodeConfig;
import io.github.volcanovgpu.plugin.vendor.nvidia.NvidiaBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.FakeGpuBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.GpuBackend;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeCondition;
import io.kubernetes.client.util.PatchUtils;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One GPU node of the suite: the real device plugin on fake cards, behind a test kubelet. */
record GpuNode(String name, GpuBackend backend, DevicePlugin plugin, E2eKubelet kubelet, List<Card> cards)
    implements AutoCloseable {
  /** A fake card as the YAML describes it. */
  record Card(String uuid, String model, long memoryMib) {}

  GpuNode {
    cards = List.copyOf(cards);
  }

  /**
   * A node as a scheduler that is not ours sees it: the Node object (labels, {@code cpu}/{@code memory}/{@code pods}
   * allocatable), the real device plugin on {@code count} fake cards writing its registration annotations, and the
   * test kubelet publishing the plugin's devices as allocatable {@code volcano.sh/vgpu-*} and admitting the pods
   * bound to the node (in {@code ns}). Returns once the Node carries the registration and positive allocatable.
   */
  static GpuNode start(ApiClient client, KubeClients kube, TestNamespace ns, String name, Map<String, String> labels,
      int count, String model, long memoryMib, DeviceConfig config, Path libvgpu) throws Exception {
    CoreV1Api api = new CoreV1Api(client);
    V1Node node = KubeFixtures.node(ns, name, Map.of(), Map.of("cpu", "32", "memory", "128Gi", "pods", "110"));
    Map<String, String> allLabels = new LinkedHashMap<>(node.getMetadata().getLabels());
    allLabels.putAll(labels);
    allLabels.put("kubernetes.io/hostname", name);
    node.getMetadata().labels(allLabels);
    node.getStatus().addConditionsItem(new V1NodeCondition().type("Ready").status("True").reason("KubeletReady")
        .message("test kubelet").lastHeartbeatTime(OffsetDateTime.now()).lastTransitionTime(OffsetDateTime.now()));
    KubeFixtures.createNode(api, node);
    // No node lifecycle controller runs: do what it does once the kubelet reports Ready, i.e. lift the
    // node.kubernetes.io/not-ready:NoSchedule taint the TaintNodesByCondition admission plugin puts on every new
    // Node (schedulers that check taints, as Volcano's predicates do, would never place a pod there).
    PatchUtils.patch(V1Node.class,
        () -> api.patchNode(name, new V1Patch("{\"spec\":{\"taints\":null}}")).buildCall(null),
        V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client);
    FakeGpuBackend gpus = FakeGpuBackend.fromYaml(E2eStack.cards(name, count, model, memoryMib), name);
    List<Card> cards = new ArrayList<>();
    gpus.discover().forEach(g -> cards.add(new Card(g.uuid(), g.model(), g.memoryMib())));
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "e2e");
    Path hook = Files.createTempDirectory("e2e-hook");
    Files.createSymbolicLink(hook.resolve("libvgpu.so"), libvgpu);
    E2eKubelet kubelet = new E2eKubelet(name, ns.name(), client, dir,
        List.of(E2eStack.NUMBER, E2eStack.MEMORY, E2eStack.CORES));
    DevicePlugin plugin;
    try {
      plugin = DevicePlugin.start(new DevicePlugin.Options(name, dir, config, NodeConfig.empty(),
          Duration.ofSeconds(30), Map.of()),
          List.of(new NvidiaBackend(gpus, null, NvidiaBackend.Settings.defaults(hook))),
          new DevicePlugin.Cluster.Api(client, kube.watches()), new SimpleMeterRegistry(), Clock.systemUTC());
    } catch (Exception | Error e) {
      kubelet.close();
      throw e;
    }
    GpuNode started = new GpuNode(name, gpus, plugin, kubelet, cards);
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        V1Node n = api.readNode(name).execute();
        Map<String, String> annotations = n.getMetadata().getAnnotations();
        var allocatable = n.getStatus() == null ? null : n.getStatus().getAllocatable();
        return annotations != null && annotations.containsKey(VgpuAnnotations.NODE_REGISTER) && allocatable != null
            && List.of(E2eStack.NUMBER, E2eStack.MEMORY, E2eStack.CORES).stream()
                .allMatch(r -> allocatable.get(r) != null && allocatable.get(r).getNumber().signum() > 0);
      });
    } catch (RuntimeException | Error e) {
      started.close();
      throw e;
    }
    return started;
  }

  /** The fake cards of a classic node (XIDs can be injected). */
  FakeGpuBackend gpus() {
    if (backend instanceof FakeGpuBackend fake) {
      return fake;
    }
    throw new AssertionError("node " + name + " is not served by FakeGpuBackend");
  }

  Card card(String uuid) {
    return cards.stream().filter(c -> c.uuid().equals(uuid)).findFirst()
        .orElseThrow(() -> new AssertionError("no card " + uuid + " on " + name));
  }

  Card card(int index) {
    return cards.get(index);
  }

  @Override
  public void close() throws Exception {
    try {
      plugin.close();
    } finally {
      kubelet.close();
    }
  }
}
