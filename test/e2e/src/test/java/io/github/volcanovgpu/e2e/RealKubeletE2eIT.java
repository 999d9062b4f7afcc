package io.github.volcanovgpu.e2e;

import static io.github.volcanovgpu.e2e.SchedulingE2eIT.gpu;
import static io.github.volcanovgpu.e2e.SchedulingE2eIT.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.kube.RealApiServer;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.bridge.simulate.SessionDriver;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.plugin.DevicePlugin;
import io.github.volcanovgpu.plugin.RealKubelet;
import io.github.volcanovgpu.plugin.register.NodeConfig;
import io.github.volcanovgpu.plugin.vendor.nvidia.NvidiaBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.FakeGpuBackend;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
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
 * The GPU node served by the REAL kubelet 1.36 ({@code scripts/k8s-local.sh up NODE}): a vcjob goes through the
 * sidecar and the session driver, is bound through {@code pods/binding}, the kubelet admits it and calls the device
 * plugin's GetPreferredAllocation and Allocate itself; the responses are read back from the kubelet's checkpoint and
 * run under libvgpu. Then the kubelet restarts mid-run and a second job goes the same way. Needs root (CI runs as
 * root; elsewhere the test is skipped with the reason, under CI=true it fails).
 */
@RealApiServer
class RealKubeletE2eIT {
  private static final Path PLUGIN_DIR = RealKubelet.PLUGIN_DIR;
  private final ApiClient client;
  private final KubeClients kube;
  private final CoreV1Api api;
  private final TestNamespace ns;
  private E2eStack stack;
  private DevicePlugin plugin;
  private RealKubelet kubelet;

  RealKubeletE2eIT(ApiClient client, KubeClients kube, CoreV1Api api, TestNamespace ns) {
    this.client = client;
    this.kube = kube;
    this.api = api;
    this.ns = ns;
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (plugin != null) {
        plugin.close();
      }
      if (stack != null) {
        stack.close();
      }
    } finally {
      if (kubelet != null) {
        kubelet.down();
      }
    }
  }

  @Test
  void vcjobThroughTheRealKubeletIsAdmittedWithLimitsTheProbeEnforcesAlsoAfterAKubeletRestart() throws Exception {
    kubelet = RealKubelet.requireOrSkip();
    stack = new E2eStack(client, kube, api, ns, "real", SchedulingPolicy.BINPACK);
    String node = ns.nodeName("real-kubelet");
    kubelet.up(node);
    awaitKubeletServing(node);
    String yaml = E2eStack.cards(node, 2, "NVIDIA A100-SXM4-80GB", 16384);
    Path hook = Files.createTempDirectory("e2e-hook");
    Files.createSymbolicLink(hook.resolve("libvgpu.so"), stack.probe().library());
    plugin = DevicePlugin.start(new DevicePlugin.Options(node, PLUGIN_DIR, DeviceConfig.defaults(),
        NodeConfig.empty(), Duration.ofSeconds(30), Map.of()),
        List.of(new NvidiaBackend(
            FakeGpuBackend.fromYaml(yaml, node), null, NvidiaBackend.Settings.defaults(hook))),
        new DevicePlugin.Cluster.Api(client, kube.watches()), new SimpleMeterRegistry(), Clock.systemUTC());
    stack.considerNode(node);

    // init container and a plain container first, then a one-card and a two-card GPU container
    String t = """
        - name: worker
          replicas: 1
          template:
            spec:
              initContainers:
              - name: init
                image: busybox
              containers:
                - name: log
                  image: busybox
        %s""".formatted((gpu("c1", 1, 2000, 10) + gpu("c2", 2, 1000, 20)).indent(8));
    SessionDriver.Placement p = stack.driver().schedule(stack.job(job("real", "default", 1, t))).placements()
        .get(0);
    assertThat(p.node()).as(p.reason()).isEqualTo(node);
    awaitAdmitted(p, "c1", "c2");
    Map<String, ContainerAllocateResponse> rs = RealKubelet.checkpoint(p.pod().uid());
    assertThat(rs).containsOnlyKeys("c1", "c2");
    String ids = stack.devices(p);
    assertThat(rs.get("c1").getEnvsMap()).containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "2000m")
        .containsEntry("NVIDIA_VISIBLE_DEVICES", ids.split(",")[0]);
    assertThat(rs.get("c2").getEnvsMap()).containsEntry("CUDA_DEVICE_MEMORY_LIMIT_1", "1000m");
    stack.assertEnforced(uuid -> 16384L, rs.get("c1"));
    stack.assertEnforced(uuid -> 16384L, rs.get("c2"));

    // the kubelet restarts mid-run (it wipes the plugin directory): the plugin registers again, the next job runs
    int restarts = plugin.manager().restarts();
    kubelet.down();
    kubelet.up(node);
    awaitKubeletServing(node);
    await().atMost(Duration.ofSeconds(30)).until(() -> plugin.manager().restarts() > restarts);
    await().atMost(Duration.ofSeconds(60)).until(() -> plugin.manager().registeredWithCurrentKubelet());
    try {
      stack.considerNode(node);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("after the kubelet restart: allocatable " + api.readNode(node).execute().getStatus()
          .getAllocatable() + ", plugin restarts " + plugin.manager().restarts(), e);
    }
    // the restarted kubelet's node status flaps while the plugin's three resources come back one by one; Volcano
    // simply tries a pending job again next session (1 s), and so does this driver (a pod left Pending is harmless)
    int[] attempt = {0};
    SessionDriver.Placement after = await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofSeconds(1)).until(() -> stack.driver().schedule(stack.job(job("after-" + attempt[0]++,
            "default", 1, SchedulingE2eIT.task("worker", 1, gpu("main", 1, 5000, 30))))).placements().get(0),
            SessionDriver.Placement::placed);
    assertThat(after.node()).as(after.reason()).isEqualTo(node);
    awaitAdmitted(after, "main");
    ContainerAllocateResponse r = RealKubelet.checkpoint(after.pod().uid()).get("main");
    assertThat(r.getEnvsMap()).containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "5000m")
        .containsEntry("CUDA_DEVICE_SM_LIMIT", "30");
    stack.assertEnforced(uuid -> 16384L, r);
  }

  /**
   * The kubelet has registered its node and serves {@code kubelet.sock} (it makes the socket again once the node is
   * registered; the plugin registers again when it does). Without a CNI the node never turns Ready here.
   */
  private void awaitKubeletServing(String node) {
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> api.readNode(node).execute() != null
        && Files.exists(PLUGIN_DIR.resolve("kubelet.sock")));
  }

  private void awaitAdmitted(SessionDriver.Placement p, String... gpuContainers) {
    await().atMost(Duration.ofSeconds(60)).until(() -> VgpuAnnotations.BIND_PHASE_SUCCESS.equals(
        stack.pod(p).annotations().get(VgpuAnnotations.BIND_PHASE)));
    await().atMost(Duration.ofSeconds(30))
        .until(() -> RealKubelet.checkpoint(p.pod().uid()).keySet().containsAll(java.util.List.of(gpuContainers)));
  }
}
