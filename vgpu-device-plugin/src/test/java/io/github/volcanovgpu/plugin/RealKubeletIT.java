package io.github.volcanovgpu.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.volcanovgpu.bridge.kube.KubeFixtures;
import io.github.volcanovgpu.bridge.kube.RealApiServer;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.cdi.CdiAnnotations;
import io.github.volcanovgpu.cdi.Kind;
import io.github.volcanovgpu.contract.annotation.NodeRegistrationCodec;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.plugin.allocate.AllocationSettings;
import io.github.volcanovgpu.plugin.cdi.DeviceListSettings;
import io.github.volcanovgpu.plugin.cdi.DeviceListStrategy;
import io.github.volcanovgpu.plugin.register.NodeConfig;
import io.github.volcanovgpu.plugin.register.PluginSettings;
import io.github.volcanovgpu.plugin.vendor.nvidia.NvidiaBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.FakeGpuBackend;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.github.volcanovgpu.proto.kubelet.v1beta1.CDIDevice;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device plugin with the REAL kubelet 1.36 (scripts/k8s-local.sh up): the kubelet registers the plugin from
 * /var/lib/kubelet/device-plugins, puts the three resources into the Node's allocatable, and calls Allocate when it
 * admits a pod bound to its node; the envs are read back from the kubelet's checkpoint, and a container started with
 * them (containerd, runc, a busybox image) prints them.
 */
@RealApiServer
class RealKubeletIT {
  private static final Path PLUGIN_DIR = RealKubelet.PLUGIN_DIR;
  private final ApiClient client;
  private final ApiClient watches;
  private final CoreV1Api api;
  private final TestNamespace ns;
  private DevicePlugin plugin;
  private RealKubelet kubelet;
  @TempDir
  Path cdiRoot;

  RealKubeletIT(ApiClient client, CoreV1Api api, TestNamespace ns, KubeClients clients) {
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
    } finally {
      if (kubelet != null) {
        kubelet.down();
      }
    }
  }

  @Test
  void kubeletAdvertisesTheResourcesAndAdmitsAnAnnotatedPodThroughAllocate() throws Exception {
    kubelet = RealKubelet.requireOrSkip();
    String node = ns.nodeName("kubelet");
    kubelet.up(node);
    FakeGpuBackend gpus = FakeGpuBackend.ofCount(2);
    Path hook = Files.createTempDirectory("hook");
    // 4 MiB per unit: 40,960 memory IDs. (Factor 1 was past the kubelet's 4 MiB message limit with the reference
    // plugin's <uuid>-memory-<i> IDs, and the kubelet advertised 0, as seen here; the shorter <minor>-<i> IDs fit,
    // which DevicePluginIT checks against a test kubelet with the same limit.)
    NvidiaBackend.Settings settings = NvidiaBackend.Settings.defaults(hook).withOverrides(new PluginSettings.Overrides(
        java.util.Optional.empty(), java.util.Optional.of(4), java.util.Optional.empty()));
    plugin = DevicePlugin.start(new DevicePlugin.Options(node, PLUGIN_DIR, DeviceConfig.defaults(),
        NodeConfig.empty(), Duration.ofSeconds(30), Map.of()), List.of(new NvidiaBackend(gpus, null, settings)),
        new DevicePlugin.Cluster.Api(client, watches), new SimpleMeterRegistry(), Clock.systemUTC());

    await().atMost(Duration.ofSeconds(60)).until(() -> allocatable(node, "volcano.sh/vgpu-number") == 20);
    await().atMost(Duration.ofSeconds(10)).until(() -> allocatable(node, "volcano.sh/vgpu-memory") == 2 * 81920 / 4);
    assertThat(allocatable(node, "volcano.sh/vgpu-cores")).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> annotations(node).containsKey(VgpuAnnotations.NODE_REGISTER));
    String uuid = NodeRegistrationCodec.decode(annotations(node).get(VgpuAnnotations.NODE_REGISTER)).get(0).uuid();

    V1Pod pod = KubeFixtures.pod(ns.name(), "admitted", node,
        Map.of("volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-memory", "3000"));
    String uid = KubeFixtures.createPod(api,
        KubeFixtures.assignedBySidecar(pod, node, uuid + ",NVIDIA,3000,30:", "100")).getMetadata().getUid();

    await().atMost(Duration.ofSeconds(60)).until(() -> VgpuAnnotations.BIND_PHASE_SUCCESS.equals(
        api.readNamespacedPod("admitted", ns.name()).execute().getMetadata().getAnnotations()
            .get(VgpuAnnotations.BIND_PHASE)));
    await().atMost(Duration.ofSeconds(30))
        .until(() -> RealKubelet.checkpointEnvs(uid, "main").containsKey("CUDA_DEVICE_MEMORY_LIMIT_0"));
    assertThat(RealKubelet.checkpointEnvs(uid, "main"))
        .containsEntry("NVIDIA_VISIBLE_DEVICES", uuid)
        .containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "12000m") // 3000 units x 4 MiB
        .containsEntry("CUDA_DEVICE_SM_LIMIT", "30");
    api.deleteNamespacedPod("admitted", ns.name()).gracePeriodSeconds(0).execute();

    // an init container and a plain container before the GPU ones; the second GPU container takes two cards, so the
    // kubelet must follow our GetPreferredAllocation to pick the devices of the cards the scheduler chose
    String uuid1 = NodeRegistrationCodec.decode(annotations(node).get(VgpuAnnotations.NODE_REGISTER)).get(1).uuid();
    V1Pod multi = KubeFixtures.pod(ns.name(), "multi", node, Map.of());
    multi.getSpec().setContainers(new java.util.ArrayList<>(List.of(
        KubeFixtures.container("log", Map.of()),
        KubeFixtures.container("c1", Map.of("volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-memory", "500")),
        KubeFixtures.container("c2", Map.of("volcano.sh/vgpu-number", "2", "volcano.sh/vgpu-memory", "250")))));
    multi.getSpec().setInitContainers(List.of(KubeFixtures.container("init", Map.of())));
    String multiUid = KubeFixtures.createPod(api, KubeFixtures.assignedBySidecar(multi, node,
        uuid1 + ",NVIDIA,500,10:;" + uuid + ",NVIDIA,250,20:" + uuid1 + ",NVIDIA,250,20:", "200"))
        .getMetadata().getUid();

    await().atMost(Duration.ofSeconds(60)).until(() -> VgpuAnnotations.BIND_PHASE_SUCCESS.equals(
        api.readNamespacedPod("multi", ns.name()).execute().getMetadata().getAnnotations()
            .get(VgpuAnnotations.BIND_PHASE)));
    await().atMost(Duration.ofSeconds(30))
        .until(() -> RealKubelet.checkpointEnvs(multiUid, "c2").containsKey("CUDA_DEVICE_SM_LIMIT"));
    assertThat(RealKubelet.checkpointEnvs(multiUid, "c1"))
        .containsEntry("NVIDIA_VISIBLE_DEVICES", uuid1)
        .containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "2000m");
    assertThat(RealKubelet.checkpointEnvs(multiUid, "c2"))
        .containsEntry("NVIDIA_VISIBLE_DEVICES", uuid + "," + uuid1)
        .containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "1000m")
        .containsEntry("CUDA_DEVICE_MEMORY_LIMIT_1", "1000m")
        .containsEntry("CUDA_DEVICE_SM_LIMIT", "20");
    assertThat(RealKubelet.checkpointEnvs(multiUid, "log")).isEmpty();
    assertThat(RealKubelet.checkpointEnvs(multiUid, "init")).isEmpty();
    api.deleteNamespacedPod("multi", ns.name()).gracePeriodSeconds(0).execute();

    // the kubelet restarts (it wipes the device-plugin directory): the plugin serves again and re-registers
    long restartsBefore = plugin.manager().restarts();
    kubelet.down();
    kubelet.up(node);
    await().atMost(Duration.ofSeconds(30)).until(() -> plugin.manager().restarts() > restartsBefore);
    // registered with the kubelet that runs now (the node's allocatable still shows the old kubelet's count)
    await().atMost(Duration.ofSeconds(60)).until(() -> plugin.manager().registeredWithCurrentKubelet());
    await().atMost(Duration.ofSeconds(60)).until(() -> allocatable(node, "volcano.sh/vgpu-number") == 20);
    V1Pod after = KubeFixtures.pod(ns.name(), "after-restart", node,
        Map.of("volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-memory", "1000"));
    String afterUid = KubeFixtures.createPod(api, KubeFixtures.assignedBySidecar(after, node,
        uuid + ",NVIDIA,1000,10:", "300")).getMetadata().getUid();
    await().atMost(Duration.ofSeconds(60)).until(() -> VgpuAnnotations.BIND_PHASE_SUCCESS.equals(
        api.readNamespacedPod("after-restart", ns.name()).execute().getMetadata().getAnnotations()
            .get(VgpuAnnotations.BIND_PHASE)));
    await().atMost(Duration.ofSeconds(30))
        .until(() -> RealKubelet.checkpointEnvs(afterUid, "main").containsKey("CUDA_DEVICE_MEMORY_LIMIT_0"));
    assertThat(RealKubelet.checkpointEnvs(afterUid, "main")).containsEntry("NVIDIA_VISIBLE_DEVICES", uuid);
  }

  /**
   * CDI mode ({@code cdi-cri}): the Allocate answer names the card as a CDI device in the device-plugin API's
   * {@code cdi_devices} field (Kubernetes 1.28+). The kubelet keeps the field: its checkpoint, the record of what the
   * kubelet hands the runtime (CRI {@code CDIDevices}), holds the name, and the libvgpu limits stay envs. (Kubelet
   * 1.20 predated the field and dropped it; containerd 1.6 here still ignores CRI CDI devices, 1.7+ applies them.)
   */
  @Test
  void cdiDevicesOfTheAllocateAnswerReachTheKubelet() throws Exception {
    kubelet = RealKubelet.requireOrSkip();
    String node = ns.nodeName("kubelet-cdi");
    kubelet.up(node);
    Path hook = Files.createTempDirectory("hook");
    NvidiaBackend.Settings settings = NvidiaBackend.Settings.defaults(hook)
        .withOverrides(new PluginSettings.Overrides(java.util.Optional.empty(), java.util.Optional.of(4),
            java.util.Optional.empty()))
        .withDeviceList(new DeviceListSettings(EnumSet.of(DeviceListStrategy.CDI_CRI), Kind.NVIDIA_DEVICE_PLUGIN,
            CdiAnnotations.standard(), cdiRoot));
    plugin = DevicePlugin.start(new DevicePlugin.Options(node, PLUGIN_DIR, DeviceConfig.defaults(),
        NodeConfig.empty(), Duration.ofSeconds(30), Map.of()),
        List.of(new NvidiaBackend(FakeGpuBackend.ofCount(2), null, settings)),
        new DevicePlugin.Cluster.Api(client, watches), new SimpleMeterRegistry(), Clock.systemUTC());
    await().atMost(Duration.ofSeconds(60)).until(() -> allocatable(node, "volcano.sh/vgpu-number") == 20);
    await().atMost(Duration.ofSeconds(10)).until(() -> allocatable(node, "volcano.sh/vgpu-memory") > 0);
    await().atMost(Duration.ofSeconds(10)).until(() -> annotations(node).containsKey(VgpuAnnotations.NODE_REGISTER));
    String uuid = NodeRegistrationCodec.decode(annotations(node).get(VgpuAnnotations.NODE_REGISTER)).get(1).uuid();

    V1Pod pod = KubeFixtures.pod(ns.name(), "cdi", node,
        Map.of("volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-memory", "1000"));
    String uid = KubeFixtures.createPod(api,
        KubeFixtures.assignedBySidecar(pod, node, uuid + ",NVIDIA,1000,25:", "100")).getMetadata().getUid();
    await().atMost(Duration.ofSeconds(60)).until(() -> VgpuAnnotations.BIND_PHASE_SUCCESS.equals(
        api.readNamespacedPod("cdi", ns.name()).execute().getMetadata().getAnnotations()
            .get(VgpuAnnotations.BIND_PHASE)));
    await().atMost(Duration.ofSeconds(30)).until(() -> RealKubelet.checkpoint(uid).containsKey("main"));
    ContainerAllocateResponse r = RealKubelet.checkpoint(uid).get("main");
    List<String> named = r.getCdiDevicesList().stream().map(CDIDevice::getName).toList();
    assertThat(named).as("cdi_devices as the kubelet recorded them").isNotEmpty()
        .allMatch(n -> n.startsWith(Kind.NVIDIA_DEVICE_PLUGIN + "=")).anyMatch(n -> n.endsWith("=" + uuid));
    assertThat(r.getEnvsMap()).doesNotContainKey("NVIDIA_VISIBLE_DEVICES")
        .containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "4000m")
        .containsEntry("CUDA_DEVICE_SM_LIMIT", "25");
    try (var specs = Files.list(cdiRoot)) {
      assertThat(specs.toList()).as("the spec the names point into").isNotEmpty();
    }
    api.deleteNamespacedPod("cdi", ns.name()).gracePeriodSeconds(0).execute();
  }

  /**
   * The last hop, real: a pod admitted by the kubelet with our Allocate answer runs its container (containerd + runc,
   * the busybox image of scripts/k8s-local.sh). The container prints its environment, its mounts and the limits
   * file; the log, read through the API server's pods/log, shows the answer's envs and bind mounts in place.
   */
  @Test
  void aContainerRunsWithTheAllocateEnvsAndMounts() throws Exception {
    kubelet = RealKubelet.requireOrSkip();
    String node = ns.nodeName("kubelet-run");
    kubelet.up(node);
    Path hook = Files.createTempDirectory("hook");
    Files.writeString(hook.resolve("libvgpu.so"), "stub libvgpu\n"); // the answer bind-mounts both files
    Files.writeString(hook.resolve("ld.so.preload"), "/usr/local/vgpu/libvgpu.so\n"); // static busybox ignores it
    Files.createDirectories(AllocationSettings.DEFAULT_LOCK_DIR);
    NvidiaBackend.Settings settings = NvidiaBackend.Settings.defaults(hook).withOverrides(new PluginSettings.Overrides(
        java.util.Optional.empty(), java.util.Optional.of(4), java.util.Optional.empty()));
    plugin = DevicePlugin.start(new DevicePlugin.Options(node, PLUGIN_DIR, DeviceConfig.defaults(),
        NodeConfig.empty(), Duration.ofSeconds(30), Map.of()),
        List.of(new NvidiaBackend(FakeGpuBackend.ofCount(2), null, settings)),
        new DevicePlugin.Cluster.Api(client, watches), new SimpleMeterRegistry(), Clock.systemUTC());
    await().atMost(Duration.ofSeconds(60)).until(() -> allocatable(node, "volcano.sh/vgpu-number") == 20);
    await().atMost(Duration.ofSeconds(10)).until(() -> allocatable(node, "volcano.sh/vgpu-memory") > 0);
    await().atMost(Duration.ofSeconds(10)).until(() -> annotations(node).containsKey(VgpuAnnotations.NODE_REGISTER));
    String uuid = NodeRegistrationCodec.decode(annotations(node).get(VgpuAnnotations.NODE_REGISTER)).get(0).uuid();

    V1Pod pod = KubeFixtures.pod(ns.name(), "runs", node,
        Map.of("volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-memory", "1500"));
    pod.getSpec().restartPolicy("Never").terminationGracePeriodSeconds(1L);
    pod.getSpec().getContainers().get(0).image(RealKubelet.WORKLOAD_IMAGE).imagePullPolicy("Never")
        .command(List.of("/bin/sh", "-c", "env | sort; echo MOUNTS; grep -E ' (/usr/local/vgpu|/etc/vgpu|/tmp/vgpu"
            + "|/etc/ld.so.preload)' /proc/mounts; echo LIBVGPU; cat /usr/local/vgpu/libvgpu.so; echo LIMITS;"
            + " cat /etc/vgpu/limits; echo DONE"));
    KubeFixtures.createPod(api, KubeFixtures.assignedBySidecar(pod, node, uuid + ",NVIDIA,1500,25:", "100"));
    await().atMost(Duration.ofSeconds(90)).until(() -> {
      var status = api.readNamespacedPod("runs", ns.name()).execute().getStatus();
      assertThat(status.getPhase()).as("pod phase (%s)", status.getMessage()).isNotEqualTo("Failed");
      return "Succeeded".equals(status.getPhase());
    });
    String log = api.readNamespacedPodLog("runs", ns.name()).container("main").execute();
    assertThat(log).as("the container's log").contains(
        "NVIDIA_VISIBLE_DEVICES=" + uuid,
        "CUDA_DEVICE_MEMORY_LIMIT_0=6000m", // 1500 units x 4 MiB
        "CUDA_DEVICE_SM_LIMIT=25",
        " /usr/local/vgpu/libvgpu.so ", " /etc/ld.so.preload ", " /etc/vgpu/limits ", " /tmp/vgpu ",
        " /tmp/vgpulock ",
        "stub libvgpu", "DONE");
    String limits = log.substring(log.indexOf("LIMITS"), log.indexOf("DONE"));
    assertThat(limits).as("the limits file as the container reads it").contains(uuid);
    api.deleteNamespacedPod("runs", ns.name()).gracePeriodSeconds(0).execute();
  }

  private long allocatable(String node, String resource) throws Exception {
    return NodeReads.allocatable(api, node, resource);
  }

  private Map<String, String> annotations(String node) throws Exception {
    return NodeReads.annotations(api, node);
  }
}
