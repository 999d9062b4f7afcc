package io.github.volcanovgpu.plugin.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.volcanovgpu.bridge.kube.KubeFixtures;
import io.github.volcanovgpu.bridge.kube.RealApiServer;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.contract.annotation.AscendAnnotations;
import io.github.volcanovgpu.contract.annotation.HamiAnnotations;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfo;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfoCodec;
import io.github.volcanovgpu.contract.annotation.VastaiAnnotations;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.plugin.DevicePlugin;
import io.github.volcanovgpu.plugin.NodeReads;
import io.github.volcanovgpu.plugin.register.NodeConfig;
import io.github.volcanovgpu.plugin.vendor.HamiPods;
import io.github.volcanovgpu.plugin.vendor.ascend.AscendBackend;
import io.github.volcanovgpu.plugin.vendor.ascend.AscendSettings;
import io.github.volcanovgpu.plugin.vendor.ascend.FakeDcmiPort;
import io.github.volcanovgpu.plugin.vendor.vastai.DeviceStrategy;
import io.github.volcanovgpu.plugin.vendor.vastai.FakeVastaiPort;
import io.github.volcanovgpu.plugin.vendor.vastai.VastaiBackend;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerPreferredAllocationRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.Device;
import io.github.volcanovgpu.proto.kubelet.v1beta1.PreferredAllocationRequest;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
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
 * Ascend and Vastai served by the assembled device plugin beside each other: a test kubelet over real unix sockets
 * (Register, ListAndWatch, GetPreferredAllocation, Allocate), the real API server for the node annotations and the
 * pods the sidecar annotated, fake machines with injected faults.
 */
@RealApiServer
class DeviceKindsPluginIT {
  private static final String C = "huawei.com/Ascend910C";
  private static final String VA = "vastaitech.com/va";
  private final ApiClient client;
  private final ApiClient watches;
  private final CoreV1Api api;
  private final TestNamespace ns;
  private TestKubelet kubelet;
  private DevicePlugin plugin;
  private AscendBackend ascend;
  private VastaiBackend vastai;

  DeviceKindsPluginIT(ApiClient client, CoreV1Api api, TestNamespace ns, KubeClients clients) {
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
    if (ascend != null) {
      ascend.close();
    }
    if (vastai != null) {
      vastai.close();
    }
    if (kubelet != null) {
      kubelet.close();
    }
  }

  private Map<String, String> annotations(String node) throws Exception {
    return NodeReads.annotations(api, node);
  }

  private List<HamiDeviceInfo> registered(String node, String key) throws Exception {
    String value = annotations(node).get(key);
    return value == null ? List.of() : HamiDeviceInfoCodec.decode(key, value);
  }

  private String podAnnotation(String name, String key) throws Exception {
    return api.readNamespacedPod(name, ns.name()).execute().getMetadata().getAnnotations().get(key);
  }

  @Test
  void ascendAndVastaiRegisterPublishAllocateAnnotatedPodsAndTrackHealth() throws Exception {
    String node = ns.nodeName("kinds");
    KubeFixtures.createNode(api, KubeFixtures.node(ns, node, Map.of(), Map.of("cpu", "8")));
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "kinds");
    Path hook = Files.createTempDirectory("npu-hook");
    kubelet = new TestKubelet(dir).start();
    FakeDcmiPort npus = FakeDcmiPort.fixture("910Cx16", node);
    ascend = new AscendBackend(npus, new AscendSettings(hook, hook.resolve("shared"), List.of(), Duration.ZERO),
        Clock.systemUTC());
    FakeVastaiPort cards = FakeVastaiPort.fromArgument("4x2", node);
    vastai = new VastaiBackend(cards, DeviceStrategy.DIE, Duration.ZERO, Clock.systemUTC());
    NodeConfig hamiCore = NodeConfig.parse("{\"nodeconfig\":[{\"name\":\"" + node + "\",\"hami-vnpu-core\":true}]}",
        "test");
    plugin = DevicePlugin.start(new DevicePlugin.Options(node, dir, DeviceConfig.defaults(), hamiCore,
        Duration.ofSeconds(30), Map.of()),
        List.of(ascend, vastai), new DevicePlugin.Cluster.Api(client, watches), new SimpleMeterRegistry(),
        Clock.systemUTC());

    // the kubelet sees one resource per kind: 16 NPUs x 10 hami-core shares, 8 exclusive dies
    await().atMost(Duration.ofSeconds(5)).until(() -> kubelet.devices(C).size() == 160
        && kubelet.devices(VA).size() == 8);
    assertThat(kubelet.endpoint(C)).isEqualTo("ascend-Ascend910C.sock");
    assertThat(kubelet.options(C).getGetPreferredAllocationAvailable()).isTrue();
    // the scheduler's view on the Node
    await().atMost(Duration.ofSeconds(10)).until(() -> registered(node, HamiAnnotations.nodeRegister("Ascend910C"))
        .size() == 16 && registered(node, VastaiAnnotations.NODE_REGISTER).size() == 8);
    assertThat(annotations(node)).containsEntry(AscendAnnotations.NODE_HAMI_CORE, "true")
        .hasEntrySatisfying(HamiAnnotations.nodeHandshake("Ascend910C"), v -> assertThat(v).startsWith("Reported_"))
        .hasEntrySatisfying(VastaiAnnotations.NODE_HANDSHAKE, v -> assertThat(v).startsWith("Reported_"));
    String npu6 = node + "-npu-6";
    String npu7 = node + "-npu-7";

    // a 910C container asking for one NPU, given the module pair 6+7 by the scheduler
    V1Pod pod = KubeFixtures.pod(ns.name(), "train", node, Map.of(C, "1", C + "-memory", "16384"));
    V1Pod created = KubeFixtures.createPod(api, HamiPods.assigned(pod, node, "Ascend910C",
        npu6 + ",Ascend910C,16384,40:" + npu7 + ",Ascend910C,16384,40:;", "100",
        Map.of(AscendAnnotations.runtimeInfo("Ascend910C"), "[{\"UUID\":\"" + npu6 + "\",\"memory\":16384,"
            + "\"core\":40},{\"UUID\":\"" + npu7 + "\",\"memory\":16384,\"core\":40}]")));
    List<String> available = kubelet.devices(C).stream().map(Device::getID).toList();
    List<String> preferred = kubelet.preferred(C, PreferredAllocationRequest.newBuilder()
        .addContainerRequests(ContainerPreferredAllocationRequest.newBuilder().addAllAvailableDeviceIDs(available)
            .setAllocationSize(1))
        .build()).getContainerResponses(0).getDeviceIDsList();
    assertThat(preferred).singleElement().asString().startsWith(npu6 + "-");
    var npuAnswer = kubelet.allocate(C, AllocateRequest.newBuilder().addContainerRequests(
        ContainerAllocateRequest.newBuilder().addAllDevicesIds(preferred)).build()).getContainerResponses(0);
    assertThat(npuAnswer.getEnvsMap()).containsEntry("ASCEND_VISIBLE_DEVICES", "6,7")
        .containsEntry("NPU_MEM_QUOTA", "16384").containsEntry("NPU_PRIORITY", "40");
    assertThat(hook.resolve("limits").resolve(created.getMetadata().getUid() + "_main").resolve("limits"))
        .content().contains("device.1.id=7\n");
    assertThat(podAnnotation("train", HamiAnnotations.BIND_PHASE)).isEqualTo("success");
    assertThat(podAnnotation("train", HamiAnnotations.devicesToAllocate("Ascend910C"))).isEqualTo(";");

    // a Vastai container with two dies of card 1
    String die2 = node + "-va1-die0";
    String die3 = node + "-va1-die1";
    KubeFixtures.createPod(api, HamiPods.assigned(KubeFixtures.pod(ns.name(), "infer", node, Map.of(VA, "2")), node,
        "Vastai", die2 + ",Vastai,16384,0:" + die3 + ",Vastai,16384,0:;", "200", Map.of()));
    var vaAnswer = kubelet.allocate(VA, AllocateRequest.newBuilder().addContainerRequests(
        ContainerAllocateRequest.newBuilder().addDevicesIds(die2 + "-0").addDevicesIds(die3 + "-0")).build())
        .getContainerResponses(0);
    assertThat(vaAnswer.getEnvsMap()).containsEntry(VastaiBackend.VISIBLE_DEVICES, "2,3");
    assertThat(podAnnotation("infer", HamiAnnotations.BIND_PHASE)).isEqualTo("success");

    // DCMI reports a major alarm on NPU 6: its IDs turn Unhealthy for the kubelet and the registration says so
    npus.setHealth(npu6, 2);
    assertThat(ascend.healthPoller().pollOnce()).hasSize(1);
    await().atMost(Duration.ofSeconds(2)).until(() -> kubelet.devices(C).stream()
        .filter(d -> d.getID().startsWith(npu6 + "-")).allMatch(d -> d.getHealth().equals("Unhealthy")));
    await().atMost(Duration.ofSeconds(10)).until(() -> !registered(node, HamiAnnotations.nodeRegister("Ascend910C"))
        .get(6).health());
    assertThat(registered(node, HamiAnnotations.nodeRegister("Ascend910C")).get(7).health()).isTrue();
    npus.setHealth(npu6, 0);
    assertThat(ascend.healthPoller().pollOnce()).hasSize(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> registered(node, HamiAnnotations.nodeRegister("Ascend910C"))
        .get(6).health());

    // a die fault on Vastai card 2
    cards.setHealthy(node + "-va2-die1", false);
    assertThat(vastai.healthPoller().pollOnce()).hasSize(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> !registered(node, VastaiAnnotations.NODE_REGISTER).get(5)
        .health());
  }
}
