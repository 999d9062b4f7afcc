package io.github.volcanovgpu.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.kube.KubeClients;
import io.github.volcanovgpu.bridge.kube.RealApiServer;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.bridge.scheduling.SchedulingPolicy;
import io.github.volcanovgpu.bridge.simulate.SessionDriver;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * vcjob in, enforced limit out: each scenario schedules vcjobs through the sidecar over HTTP (Volcano's session
 * driver), binds through {@code pods/binding}, lets the node's kubelet admit the pod through the real device plugin,
 * and runs libvgpu's probe with the Allocate response.
 */
@RealApiServer
class SchedulingE2eIT {
  private static final String A100 = "NVIDIA A100-SXM4-80GB";
  private final ApiClient client;
  private final KubeClients kube;
  private final CoreV1Api api;
  private final TestNamespace ns;
  private E2eStack stack;

  SchedulingE2eIT(ApiClient client, KubeClients kube, CoreV1Api api, TestNamespace ns) {
    this.client = client;
    this.kube = kube;
    this.api = api;
    this.ns = ns;
  }

  private E2eStack stack(String tag, SchedulingPolicy policy) throws Exception {
    stack = new E2eStack(client, kube, api, ns, tag, policy);
    return stack;
  }

  @AfterEach
  void stop() throws Exception {
    if (stack != null) {
      stack.close();
    }
  }

  static String job(String name, String queue, int minAvailable, String tasks) {
    return """
        apiVersion: batch.volcano.sh/v1alpha1
        kind: Job
        metadata: {name: %s, namespace: NS}
        spec:
          schedulerName: volcano
          queue: %s
          minAvailable: %d
          tasks:
        %s""".formatted(name, queue, minAvailable, tasks.indent(4));
  }

  static String task(String name, int replicas, String containers) {
    return """
        - name: %s
          replicas: %d
          template:
            spec:
              containers:
        %s""".formatted(name, replicas, containers.indent(8));
  }

  static String gpu(String name, int number, long memory, int cores) {
    return """
        - name: %s
          image: cuda
          resources:
            limits: {volcano.sh/vgpu-number: %d, volcano.sh/vgpu-memory: %d, volcano.sh/vgpu-cores: %d}
        """.formatted(name, number, memory, cores);
  }

  @Test
  void singleGpuPodIsPlacedAdmittedAndLimitedToItsShare() throws Exception {
    E2eStack s = stack("single", SchedulingPolicy.BINPACK);
    GpuNode node = s.addNode("a", 2, A100, 16384);
    SessionDriver.JobOutcome out = s.driver().schedule(s.job(job("one", "default", 1,
        task("worker", 1, gpu("main", 1, 3000, 30)))));

    assertThat(out.scheduled()).isTrue();
    SessionDriver.Placement p = out.placements().get(0);
    assertThat(p.node()).isEqualTo(node.name());
    Map<String, String> ann = s.pod(p).annotations();
    assertThat(ann).containsEntry(VgpuAnnotations.VGPU_NODE, node.name())
        .containsKey(VgpuAnnotations.VGPU_IDS_NEW);
    assertThat(s.pod(p).nodeName()).isEqualTo(node.name());
    ContainerAllocateResponse r = s.admitted(p).get("main");
    String uuid = ann.get(VgpuAnnotations.VGPU_IDS_NEW).split(",")[0];
    assertThat(r.getEnvsMap()).containsEntry("NVIDIA_VISIBLE_DEVICES", uuid)
        .containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "3000m")
        .containsEntry("CUDA_DEVICE_SM_LIMIT", "30");
    assertThat(s.pod(p).annotations()).containsEntry(VgpuAnnotations.BIND_PHASE, VgpuAnnotations.BIND_PHASE_SUCCESS);
    s.assertEnforced(node, r);
  }
}
