package io.github.volcanovgpu.plugin.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.volcanovgpu.bridge.kube.KubeFixtures;
import io.github.volcanovgpu.bridge.kube.RealApiServer;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.contract.annotation.NodeRegistrationCodec;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.contract.device.RegisteredGpu;
import io.github.volcanovgpu.plugin.DevicePlugin;
import io.github.volcanovgpu.plugin.register.NodeConfig;
import io.github.volcanovgpu.plugin.vendor.nvidia.NvidiaBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.FakeGpuBackend;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerPreferredAllocationRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.PreferredAllocationRequest;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Pod;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The device plugin assembled as {@code ./volcano-vgpu device-plugin --fake-gpus 2} runs it: a test kubelet on a
 * real unix socket, the real API server for the node annotation and the pod the sidecar annotated.
 */
@RealApiServer
class DevicePluginIT {
  private static final String NUMBER = "volcano.sh/vgpu-number";
  private static final String MEMORY = "volcano.sh/vgpu-memory";
  private final ApiClient client;
  private final ApiClient watches;
  private final CoreV1Api api;
  private final TestNamespace ns;
  private Path dir;
  private TestKubelet kubelet;
  private DevicePlugin plugin;

  DevicePluginIT(ApiClient client, CoreV1Api api, TestNamespace ns, KubeClients clients) {
    this.watches = clients.watches();
    this.client = client;
    this.api = api;
    this.ns = ns;
  }

  @AfterEach
  void stop() throws Exception {
    if (plugin != null) {
      plugin.close();
    }
    if (kubelet != null) {
      kubelet.close();
    }
  }

  private List<RegisteredGpu> registered(String node) throws Exception {
    Map<String, String> a = api.readNode(node).execute().getMetadata().getAnnotations();
    String value = a == null ? null : a.get(VgpuAnnotations.NODE_REGISTER);
    return value == null ? List.of() : NodeRegistrationCodec.decode(value);
  }

  @Test
  void registersPublishesTheInventoryAllocatesTheAnnotatedPodAndTracksHealth() throws Exception {
    String node = ns.nodeName("dp");
    KubeFixtures.createNode(api, KubeFixtures.node(ns, node, Map.of(), Map.of("cpu", "8")));
    dir = Files.createTempDirectory(Path.of("/tmp"), "dpit");
    kubelet = new TestKubelet(dir).start();
    FakeGpuBackend gpus = FakeGpuBackend.ofCount(2);
    Path hook = Files.createTempDirectory("hook");
    plugin = DevicePlugin.start(new DevicePlugin.Options(node, dir, DeviceConfig.defaults(), NodeConfig.empty(),
        Duration.ofSeconds(30), Map.of()),
        List.of(new NvidiaBackend(gpus, null, NvidiaBackend.Settings.defaults(hook))),
        new DevicePlugin.Cluster.Api(client, watches), new SimpleMeterRegistry(), Clock.systemUTC());

    await().atMost(Duration.ofSeconds(5)).until(() -> kubelet.devices(NUMBER).size() == 20);
    assertThat(kubelet.registrations(MEMORY)).isEqualTo(1);
    // two 80 GiB cards at the default factor 1: 163840 memory IDs in one message the kubelet takes (4 MiB limit)
    await().atMost(Duration.ofSeconds(10)).until(() -> kubelet.devices(MEMORY).size() == 2 * 81920);
    assertThat(kubelet.registrations("volcano.sh/vgpu-cores")).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> registered(node).size() == 2);
    String uuid0 = registered(node).get(0).uuid();
    String uuid1 = registered(node).get(1).uuid();

    // a pod the sidecar annotated and Volcano bound
    V1Pod pod = KubeFixtures.pod(ns.name(), "train", node, Map.of(NUMBER, "1", "volcano.sh/vgpu-memory", "3000"));
    V1Pod created = KubeFixtures.createPod(api,
        KubeFixtures.assignedBySidecar(pod, node, uuid1 + ",NVIDIA,3000,30:", "100"));

    // the kubelet asks which IDs we prefer: one of the card the scheduler chose, whatever the kubelet offers first
    List<String> available = kubelet.devices(NUMBER).stream().map(d -> d.getID()).toList();
    List<String> preferred = kubelet.preferred(NUMBER, PreferredAllocationRequest.newBuilder()
        .addContainerRequests(ContainerPreferredAllocationRequest.newBuilder()
            .addAllAvailableDeviceIDs(available).setAllocationSize(1))
        .build()).getContainerResponses(0).getDeviceIDsList();
    assertThat(preferred).singleElement().asString().startsWith(uuid1 + "-");

    AllocateResponse r = kubelet.allocate(NUMBER, AllocateRequest.newBuilder()
        .addContainerRequests(ContainerAllocateRequest.newBuilder().addAllDevicesIds(preferred)).build());
    Map<String, String> envs = r.getContainerResponses(0).getEnvsMap();
    assertThat(envs)
        .containsEntry("NVIDIA_VISIBLE_DEVICES", uuid1)
        .containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "3000m")
        .containsEntry("CUDA_DEVICE_SM_LIMIT", "30")
        .containsEntry("CUDA_DEVICE_MEMORY_SHARED_CACHE",
            "/tmp/vgpu/" + created.getMetadata().getUid() + "_main.cache");
    assertThat(api.readNamespacedPod("train", ns.name()).execute().getMetadata().getAnnotations())
        .containsEntry(VgpuAnnotations.BIND_PHASE, VgpuAnnotations.BIND_PHASE_SUCCESS);

    // an XID on card 1: unhealthy for the kubelet and in the node annotation, then back
    gpus.injectXid(uuid1, 79);
    await().atMost(Duration.ofSeconds(1)).until(() -> kubelet.devices(NUMBER).stream()
        .filter(d -> d.getID().startsWith(uuid1)).allMatch(d -> d.getHealth().equals("Unhealthy")));
    await().atMost(Duration.ofSeconds(10)).until(() -> !registered(node).get(1).healthy());
    // the memory list with a card unhealthy ("Unhealthy" is longer) still reaches the kubelet
    await().atMost(Duration.ofSeconds(5)).until(() -> kubelet.devices(MEMORY).stream()
        .filter(d -> d.getHealth().equals("Unhealthy")).count() == 81920);
    assertThat(registered(node).get(0).healthy()).isTrue();
    gpus.recover(uuid1);
    await().atMost(Duration.ofSeconds(10)).until(() -> registered(node).get(1).healthy());
  }

  @Test
  void aMemoryListOverTheKubeletLimitIsNotServedAndAWarningEventOnTheNodeNamesTheFactorThatFits() throws Exception {
    String node = ns.nodeName("h200");
    KubeFixtures.createNode(api, KubeFixtures.node(ns, node, Map.of(), Map.of("cpu", "8")));
    dir = Files.createTempDirectory(Path.of("/tmp"), "dpit");
    kubelet = new TestKubelet(dir).start();
    StringBuilder yaml = new StringBuilder("gpus:\n");
    for (int i = 0; i < 8; i++) {
      yaml.append("- {uuid: GPU-").append(i).append("0000000-1111-2222-3333-444444444444, model: NVIDIA H200, ")
          .append("memoryMib: 143771, minor: ").append(i).append(", numa: ").append(i / 4).append("}\n");
    }
    plugin = DevicePlugin.start(new DevicePlugin.Options(node, dir, DeviceConfig.defaults(), NodeConfig.empty(),
        Duration.ofSeconds(30), Map.of()),
        List.of(new NvidiaBackend(FakeGpuBackend.fromYaml(yaml.toString(), "h200x8"), null,
            NvidiaBackend.Settings.defaults(Files.createTempDirectory("hook")))),
        new DevicePlugin.Cluster.Api(client, watches), new SimpleMeterRegistry(), Clock.systemUTC());

    await().atMost(Duration.ofSeconds(5)).until(() -> kubelet.devices(NUMBER).size() == 80);
    await().atMost(Duration.ofSeconds(5)).until(() -> kubelet.hasList(MEMORY));
    assertThat(kubelet.devices(MEMORY)).isEmpty();
    await().atMost(Duration.ofSeconds(10)).until(() -> registered(node).size() == 8);
    await().atMost(Duration.ofSeconds(10)).until(() -> !events(node).isEmpty());
    CoreV1Event event = events(node).get(0);
    assertThat(event.getType()).isEqualTo("Warning");
    assertThat(event.getReason()).isEqualTo("TooManyDeviceIDs");
    assertThat(event.getInvolvedObject().getKind()).isEqualTo("Node");
    assertThat(event.getMessage()).startsWith("volcano.sh/vgpu-memory is not served: gpuMemoryFactor 1 makes "
        + "1150168 device IDs").contains("gpuMemoryFactor 6 fits");
  }

  /** The events about {@code node}, where the kubelet puts a node's events (namespace default). */
  private List<CoreV1Event> events(String node) throws Exception {
    return api.listNamespacedEvent("default").fieldSelector("involvedObject.name=" + node).execute().getItems();
  }
}
