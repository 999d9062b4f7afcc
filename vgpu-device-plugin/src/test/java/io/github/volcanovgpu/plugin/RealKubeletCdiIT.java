package io.github.volcanovgpu.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.volcanovgpu.bridge.kube.KubeFixtures;
import io.github.volcanovgpu.bridge.kube.RealApiServer;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.cdi.CdiAnnotations;
import io.github.volcanovgpu.cdi.Kind;
import io.github.volcanovgpu.cdi.nvidia.NvidiaCdiGenerator;
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
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CDI hop, real: the kubelet 1.36 on containerd 1.7 (built from its Go module by {@code
 * scripts/containerd-cdi.sh}, CRI {@code enable_cdi = true}; Debian's containerd 1.6 ignores CRI CDI devices). The
 * device plugin in {@code cdi-cri} mode writes its spec into the directory containerd reads and answers Allocate with
 * {@code cdi_devices}; containerd resolves the names in our spec and edits the container: the device node the spec
 * names is created inside it and the spec's environment is set. The node's device tree is a fake driver root (char
 * devices with the NVIDIA major, made with mknod) given to the plugin as {@code --cdi-dev-root}, so the spec names
 * host paths that exist here. Needs root; skipped with the reason elsewhere, failed under {@code CI=true}.
 */
@RealApiServer
class RealKubeletCdiIT {
  private static final long NVIDIA_MAJOR = 195;
  private final ApiClient client;
  private final ApiClient watches;
  private final CoreV1Api api;
  private final TestNamespace ns;
  private DevicePlugin plugin;
  private RealKubelet kubelet;
  @TempDir
  Path cdiDir;
  @TempDir
  Path devRoot;

  RealKubeletCdiIT(ApiClient client, CoreV1Api api, TestNamespace ns, KubeClients clients) {
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
        api.deleteCollectionNamespacedPod(ns.name()).gracePeriodSeconds(0).execute();
        kubelet.down();
      }
    }
  }

  @Test
  void containerdAppliesTheCdiDevicesOfTheAllocateAnswerFromOurSpec() throws Exception {
    kubelet = RealKubelet.requireOrSkip();
    // the fake driver root: /dev/nvidia0 of the one fake card and the control nodes, char devices as the driver makes
    List<String> nodes = new ArrayList<>(NvidiaCdiGenerator.CONTROL_NODES);
    nodes.add(0, "/dev/nvidia0");
    for (int i = 0; i < nodes.size(); i++) {
      Path node = devRoot.resolve(nodes.get(i).substring(1));
      Files.createDirectories(node.getParent());
      mknod(node, i == 0 ? 0 : 255 - i);
    }
    String node = ns.nodeName("kubelet-cdi17");
    kubelet.upWithCdi(node, cdiDir);
    Path hook = Files.createTempDirectory("hook");
    Files.writeString(hook.resolve("libvgpu.so"), "stub libvgpu\n");
    Files.writeString(hook.resolve("ld.so.preload"), "/usr/local/vgpu/libvgpu.so\n");
    Files.createDirectories(AllocationSettings.DEFAULT_LOCK_DIR);
    NvidiaBackend.Settings settings = NvidiaBackend.Settings.defaults(hook)
        .withOverrides(new PluginSettings.Overrides(Optional.empty(), Optional.of(4), Optional.empty()))
        .withDeviceList(new DeviceListSettings(EnumSet.of(DeviceListStrategy.CDI_CRI), Kind.NVIDIA_DEVICE_PLUGIN,
            CdiAnnotations.standard(), cdiDir).withDevRoot(devRoot));
    plugin = DevicePlugin.start(new DevicePlugin.Options(node, RealKubelet.PLUGIN_DIR, DeviceConfig.defaults(),
        NodeConfig.empty(), Duration.ofSeconds(30), Map.of()),
        List.of(new NvidiaBackend(FakeGpuBackend.ofCount(1), null, settings)),
        new DevicePlugin.Cluster.Api(client, watches), new SimpleMeterRegistry(), Clock.systemUTC());
    await().atMost(Duration.ofSeconds(60)).until(() -> NodeReads.allocatable(api, node, "volcano.sh/vgpu-memory") > 0);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> NodeReads.annotations(api, node).containsKey(VgpuAnnotations.NODE_REGISTER));
    String uuid = NodeRegistrationCodec.decode(NodeReads.annotations(api, node).get(VgpuAnnotations.NODE_REGISTER))
        .get(0).uuid();

    V1Pod pod = KubeFixtures.pod(ns.name(), "cdi", node,
        Map.of("volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-memory", "1000"));
    pod.getSpec().restartPolicy("Never").terminationGracePeriodSeconds(1L);
    pod.getSpec().getContainers().get(0).image(RealKubelet.WORKLOAD_IMAGE).imagePullPolicy("Never")
        .command(List.of("/bin/sh", "-c", "env | sort; echo DEVICES; ls -l /dev/ | grep nvidia; echo DONE"));
    KubeFixtures.createPod(api, KubeFixtures.assignedBySidecar(pod, node, uuid + ",NVIDIA,1000,25:", "100"));
    await().atMost(Duration.ofSeconds(90)).until(() -> {
      var status = api.readNamespacedPod("cdi", ns.name()).execute().getStatus();
      assertThat(status.getPhase()).as("pod phase (%s)", status).isNotEqualTo("Failed");
      return "Succeeded".equals(status.getPhase());
    });
    String log = api.readNamespacedPodLog("cdi", ns.name()).container("main").execute();
    System.out.println("CDI container log:\n" + log);
    assertThat(RealKubelet.checkpoint(api.readNamespacedPod("cdi", ns.name()).execute().getMetadata().getUid())
        .get("main").getCdiDevicesList()).as("the answer named CDI devices").isNotEmpty();
    String devices = log.substring(log.indexOf("DEVICES"), log.indexOf("DONE"));
    assertThat(devices).as("device nodes the spec named, created by containerd in the container")
        .containsPattern("(?m)^c.* " + NVIDIA_MAJOR + ",\\s+0 .* nvidia0$")
        .containsPattern("(?m)^c.* " + NVIDIA_MAJOR + ",\\s+\\d+ .* nvidiactl$");
    assertThat(log).as("the spec's environment (the answer itself sets no NVIDIA_VISIBLE_DEVICES in cdi-cri mode)")
        .contains(NvidiaCdiGenerator.VISIBLE_DEVICES + "=void", "CUDA_DEVICE_MEMORY_LIMIT_0=4000m");
  }

  private static void mknod(Path node, int minor) throws Exception {
    Process p = new ProcessBuilder("mknod", "-m", "666", node.toString(), "c", Long.toString(NVIDIA_MAJOR),
        Integer.toString(minor)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("mknod %s: %s", node, out).isTrue();
  }
}
