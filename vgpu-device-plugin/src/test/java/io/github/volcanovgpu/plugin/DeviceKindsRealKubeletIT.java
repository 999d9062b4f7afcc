package io.github.volcanovgpu.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.volcanovgpu.bridge.kube.KubeFixtures;
import io.github.volcanovgpu.bridge.kube.RealApiServer;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.contract.annotation.AscendAnnotations;
import io.github.volcanovgpu.contract.annotation.HamiAnnotations;
import io.github.volcanovgpu.contract.annotation.VastaiAnnotations;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.plugin.register.NodeConfig;
import io.github.volcanovgpu.plugin.vendor.HamiPods;
import io.github.volcanovgpu.plugin.vendor.ascend.AscendBackend;
import io.github.volcanovgpu.plugin.vendor.ascend.AscendSettings;
import io.github.volcanovgpu.plugin.vendor.ascend.FakeDcmiPort;
import io.github.volcanovgpu.plugin.vendor.vastai.DeviceStrategy;
import io.github.volcanovgpu.plugin.vendor.vastai.FakeVastaiPort;
import io.github.volcanovgpu.plugin.vendor.vastai.VastaiBackend;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
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
 * Ascend (910C SuperPod, hami-core node) and Vastai (die mode) with the REAL kubelet 1.36 (scripts/k8s-local.sh up):
 * the kubelet registers both plugins, puts {@code huawei.com/Ascend910C} and {@code vastaitech.com/va} into the
 * Node's capacity, and calls Allocate when it admits pods the sidecar annotated; the envs are read back from the
 * kubelet's checkpoint.
 */
@RealApiServer
class DeviceKindsRealKubeletIT {
  private static final String C = "huawei.com/Ascend910C";
  private static final String VA = "vastaitech.com/va";
  private final ApiClient client;
  private final ApiClient watches;
  private final CoreV1Api api;
  private final TestNamespace ns;
  private DevicePlugin plugin;
  private RealKubelet kubelet;
  private final List<AutoCloseable> backends = new java.util.ArrayList<>();

  DeviceKindsRealKubeletIT(ApiClient client, CoreV1Api api, TestNamespace ns, KubeClients clients) {
    this.watches = clients.watches();
    this.client = client;
    this.api = api;
    this.ns = ns;
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (plugin != null) {
        plugin.close();
      }
      for (AutoCloseable b : backends) {
        b.close();
      }
    } finally {
      if (kubelet != null) {
        kubelet.down();
      }
    }
  }

  @Test
  void kubeletAdvertisesNpusAndDiesAndAdmitsAnnotatedPodsThroughAllocate() throws Exception {
    kubelet = RealKubelet.requireOrSkip();
    String node = ns.nodeName("npu-kubelet");
    kubelet.up(node);
    Path hook = Files.createTempDirectory("npu-hook");
    AscendBackend ascend = new AscendBackend(FakeDcmiPort.fixture("910Cx16", node),
        new AscendSettings(hook, hook.resolve("shared"), List.of(), Duration.ZERO), Clock.systemUTC());
    VastaiBackend vastai = new VastaiBackend(FakeVastaiPort.fromArgument("4x2", node), DeviceStrategy.DIE,
        Duration.ZERO, Clock.systemUTC());
    backends.add(ascend);
    backends.add(vastai);
    NodeConfig hamiCore = NodeConfig.parse("{\"nodeconfig\":[{\"name\":\"" + node + "\",\"hami-vnpu-core\":true}]}",
        "test");
    plugin = DevicePlugin.start(new DevicePlugin.Options(node, RealKubelet.PLUGIN_DIR, DeviceConfig.defaults(),
        hamiCore, Duration.ofSeconds(30), Map.of()),
        List.of(ascend, vastai), new DevicePlugin.Cluster.Api(client, watches), new SimpleMeterRegistry(),
        Clock.systemUTC());

    await().atMost(Duration.ofSeconds(60))
        .until(() -> NodeReads.capacity(api, node, C) == 160 && NodeReads.capacity(api, node, VA) == 8);
    assertThat(NodeReads.allocatable(api, node, C)).isEqualTo(160);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> NodeReads.annotations(api, node).containsKey(HamiAnnotations.nodeRegister(
            "Ascend910C")) && NodeReads.annotations(api, node).containsKey(VastaiAnnotations.NODE_REGISTER));
    String npu6 = node + "-npu-6";
    String npu7 = node + "-npu-7";

    // hami-core: one NPU asked, the module pair 6+7 assigned; the kubelet follows GetPreferredAllocation into it
    String soft = KubeFixtures.createPod(api, HamiPods.assigned(KubeFixtures.pod(ns.name(), "soft", node,
        Map.of(C, "1")), node, "Ascend910C", npu6 + ",Ascend910C,16384,40:" + npu7 + ",Ascend910C,16384,40:;", "100",
        Map.of(AscendAnnotations.runtimeInfo("Ascend910C"), "[{\"UUID\":\"" + npu6 + "\",\"memory\":16384,\"core\":40},"
            + "{\"UUID\":\"" + npu7 + "\",\"memory\":16384,\"core\":40}]")))
        .getMetadata().getUid();
    awaitBound("soft");
    await().atMost(Duration.ofSeconds(30)).until(() -> RealKubelet.checkpointEnvs(soft, "main")
        .containsKey("NPU_LOCAL_SHM_PATH"));
    assertThat(RealKubelet.checkpointEnvs(soft, "main"))
        .containsEntry("ASCEND_VISIBLE_DEVICES", "6,7")
        .containsEntry("NPU_MEM_QUOTA", "16384")
        .containsEntry("NPU_PRIORITY", "40")
        .containsEntry("NPU_GLOBAL_SHM_PATH", "/hami-shared-region/6.sched")
        .containsEntry("NPU_GLOBAL_SHM_PATH_1", "/hami-shared-region/7.sched");
    assertThat(RealKubelet.checkpoint(soft).get("main").getMountsList())
        .anySatisfy(m -> assertThat(m.getContainerPath()).isEqualTo("/etc/vgpu/limits"));
    api.deleteNamespacedPod("soft", ns.name()).gracePeriodSeconds(0).execute();

    // template vNPU on the pair 2+3
    String npu2 = node + "-npu-2";
    String npu3 = node + "-npu-3";
    String vnpu = KubeFixtures.createPod(api, HamiPods.assigned(KubeFixtures.pod(ns.name(), "vnpu", node,
        Map.of(C, "2")), node, "Ascend910C", npu2 + ",Ascend910C,16384,0:" + npu3 + ",Ascend910C,16384,0:;", "200",
        Map.of(AscendAnnotations.VNPU_MODE, "template", AscendAnnotations.runtimeInfo("Ascend910C"),
            "[{\"UUID\":\"" + npu2 + "\",\"temp\":\"vir05_1c_16g\"},{\"UUID\":\"" + npu3 + "\",\"temp\":"
                + "\"vir05_1c_16g\"}]")))
        .getMetadata().getUid();
    awaitBound("vnpu");
    await().atMost(Duration.ofSeconds(30)).until(() -> RealKubelet.checkpointEnvs(vnpu, "main")
        .containsKey("ASCEND_VNPU_SPECS"));
    assertThat(RealKubelet.checkpointEnvs(vnpu, "main")).containsExactlyInAnyOrderEntriesOf(Map.of(
        "ASCEND_VISIBLE_DEVICES", "2,3", "ASCEND_VNPU_SPECS", "vir05_1c_16g"));
    api.deleteNamespacedPod("vnpu", ns.name()).gracePeriodSeconds(0).execute();

    // Vastai: two dies of card 3
    String die6 = node + "-va3-die0";
    String die7 = node + "-va3-die1";
    String va = KubeFixtures.createPod(api, HamiPods.assigned(KubeFixtures.pod(ns.name(), "va", node, Map.of(VA, "2")),
        node, "Vastai", die6 + ",Vastai,16384,0:" + die7 + ",Vastai,16384,0:;", "300", Map.of()))
        .getMetadata().getUid();
    awaitBound("va");
    await().atMost(Duration.ofSeconds(30)).until(() -> RealKubelet.checkpointEnvs(va, "main")
        .containsKey(VastaiBackend.VISIBLE_DEVICES));
    assertThat(RealKubelet.checkpointEnvs(va, "main")).containsEntry(VastaiBackend.VISIBLE_DEVICES, "6,7");
  }

  private void awaitBound(String pod) {
    await().atMost(Duration.ofSeconds(60)).until(() -> HamiAnnotations.BIND_PHASE_SUCCESS.equals(
        api.readNamespacedPod(pod, ns.name()).execute().getMetadata().getAnnotations()
            .get(HamiAnnotations.BIND_PHASE)));
  }
}
