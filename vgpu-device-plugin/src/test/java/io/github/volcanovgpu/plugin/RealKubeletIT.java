package io.github.volcanovgpu.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.volcanovgpu.bridge.kube.KubeFixtures;
import io.github.volcanovgpu.bridge.kube.RealApiServer;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.contract.annotation.NodeRegistrationCodec;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.plugin.register.NodeConfig;
import io.github.volcanovgpu.plugin.register.PluginSettings;
import io.github.volcanovgpu.plugin.vendor.nvidia.FakeGpuBackend;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.kubernetes.client.custom.Quantity;
import io.github.volcanovgpu.bridge.kube.KubeClients;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Pod;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The device plugin with the REAL kubelet 1.20 (scripts/k8s-local.sh up): the kubelet registers the plugin from
 * /var/lib/kubelet/device-plugins, puts the three resources into the Node's allocatable, and calls Allocate when it
 * admits a pod bound to its node; the envs are read back from the kubelet's checkpoint.
 */
@RealApiServer
class RealKubeletIT {
  private static final Path PLUGIN_DIR = Path.of("/var/lib/kubelet/device-plugins");
  private static final Path CHECKPOINT = PLUGIN_DIR.resolve("kubelet_internal_checkpoint");
  private final ApiClient client;
  private final ApiClient watches;
  private final CoreV1Api api;
  private final TestNamespace ns;
  private DevicePlugin plugin;
  private Path script;

  RealKubeletIT(ApiClient client, CoreV1Api api, TestNamespace ns, KubeClients clients) {
    this.watches = clients.watches();
    this.client = client;
    this.api = api;
    this.ns = ns;
  }

  private static Path script() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("scripts/k8s-local.sh");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("scripts/k8s-local.sh not found above " + Path.of("").toAbsolutePath());
  }

  private String run(String... args) throws IOException, InterruptedException {
    String[] cmd = new String[args.length + 2];
    cmd[0] = "bash";
    cmd[1] = script.toString();
    System.arraycopy(args, 0, cmd, 2, args.length);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", args) + " failed: " + out);
    }
    return out;
  }

  @AfterEach
  void stop() throws Exception {
    if (plugin != null) {
      plugin.close();
    }
    if (script != null) {
      run("down-kubelet");
    }
  }

  @Test
  void kubeletAdvertisesTheResourcesAndAdmitsAnAnnotatedPodThroughAllocate() throws Exception {
    boolean ci = "true".equals(System.getenv("CI"));
    String whyNot = !"root".equals(System.getProperty("user.name")) ? "the real kubelet needs root"
        : !Files.isDirectory(Path.of("/sys/fs/cgroup")) ? "no cgroup filesystem" : "";
    if (!whyNot.isEmpty()) {
      if (ci) {
        throw new IllegalStateException("CI=true, so this is a failure, not a skip: " + whyNot);
      }
      Assumptions.abort(whyNot);
    }
    script = script();
    String node = ns.nodeName("kubelet");
    run("up", node);
    Files.createDirectories(PLUGIN_DIR);
    FakeGpuBackend gpus = FakeGpuBackend.ofCount(2);
    Path hook = Files.createTempDirectory("hook");
    plugin = DevicePlugin.start(new DevicePlugin.Options(node, PLUGIN_DIR, DeviceConfig.defaults(),
        // 2 x 80 GiB at 1 MiB per unit would be 163,840 memory IDs, past the kubelet's 4 MB limit (the kubelet
        // then advertises 0, as seen here): 4 MiB per unit keeps it at 40,960
        NodeConfig.empty(), new PluginSettings.Overrides(java.util.Optional.empty(), java.util.Optional.of(4),
            java.util.Optional.empty()), hook, "", false, Duration.ofSeconds(30), Map.of()),
        gpus, client, watches, new SimpleMeterRegistry(), Clock.systemUTC());

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
    await().atMost(Duration.ofSeconds(30)).until(() -> checkpointEnvs(uid).containsKey("CUDA_DEVICE_MEMORY_LIMIT_0"));
    assertThat(checkpointEnvs(uid))
        .containsEntry("NVIDIA_VISIBLE_DEVICES", uuid)
        .containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "12000m") // 3000 units x 4 MiB
        .containsEntry("CUDA_DEVICE_SM_LIMIT", "30");
    api.deleteNamespacedPod("admitted", ns.name()).gracePeriodSeconds(0).execute();
  }

  private long allocatable(String node, String resource) throws Exception {
    V1Node n = api.readNode(node).execute();
    Map<String, Quantity> alloc = n.getStatus() == null ? null : n.getStatus().getAllocatable();
    Quantity q = alloc == null ? null : alloc.get(resource);
    return q == null ? 0 : q.getNumber().longValue();
  }

  private Map<String, String> annotations(String node) throws Exception {
    Map<String, String> a = api.readNode(node).execute().getMetadata().getAnnotations();
    return a == null ? Map.of() : a;
  }

  /** The envs the kubelet recorded for the pod's container (AllocResp is a base64 ContainerAllocateResponse). */
  private static Map<String, String> checkpointEnvs(String podUid) throws IOException {
    if (!Files.exists(CHECKPOINT)) {
      return Map.of();
    }
    JsonNode root = new ObjectMapper().readTree(Files.readString(CHECKPOINT));
    Map<String, String> envs = new HashMap<>();
    for (JsonNode e : root.path("Data").path("PodDeviceEntries")) {
      if (podUid.equals(e.path("PodUID").asText()) && e.hasNonNull("AllocResp")) {
        byte[] resp = Base64.getDecoder().decode(e.path("AllocResp").asText());
        envs.putAll(ContainerAllocateResponse.parseFrom(resp).getEnvsMap());
      }
    }
    return envs;
  }
}
