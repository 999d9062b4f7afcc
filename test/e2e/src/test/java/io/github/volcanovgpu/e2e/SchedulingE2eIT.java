package io.github.volcanovgpu.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.kube.RealApiServer;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.bridge.simulate.SessionDriver;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.process.kube.KubeClients;
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

  /** One replica of task {@code worker} whose pod template carries one annotation. */
  static String annotatedTask(String key, String value, String containers) {
    return """
        - name: worker
          replicas: 1
          template:
            metadata:
              annotations: {%s: "%s"}
            spec:
              containers:
        %s""".formatted(key, value, containers.indent(8));
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

  @Test
  void multiGpuPodGetsOneLimitPerCardAndEachIsEnforced() throws Exception {
    E2eStack s = stack("multi", SchedulingPolicy.BINPACK);
    GpuNode node = s.addNode("a", 2, A100, 16384);
    SessionDriver.JobOutcome out = s.driver().schedule(s.job(job("two", "default", 1,
        task("worker", 1, gpu("main", 2, 4000, 20)))));

    SessionDriver.Placement p = out.placements().get(0);
    assertThat(p.node()).isEqualTo(node.name());
    String ids = s.devices(p);
    assertThat(ids).contains(node.card(0).uuid()).contains(node.card(1).uuid());
    ContainerAllocateResponse r = s.admitted(p).get("main");
    assertThat(r.getEnvsMap().get("NVIDIA_VISIBLE_DEVICES").split(","))
        .containsExactlyInAnyOrder(node.card(0).uuid(), node.card(1).uuid());
    assertThat(r.getEnvsMap()).containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "4000m")
        .containsEntry("CUDA_DEVICE_MEMORY_LIMIT_1", "4000m").containsEntry("CUDA_DEVICE_SM_LIMIT", "20");
    s.assertEnforced(node, r);
  }

  @Test
  void multiContainerPodWithPlainFirstContainerAndInitContainerGivesEachGpuContainerItsOwnShare()
      throws Exception {
    E2eStack s = stack("mc", SchedulingPolicy.BINPACK);
    GpuNode node = s.addNode("a", 2, A100, 16384);
    String containers = """
        - name: log
          image: busybox
        %s%s""".formatted(gpu("c1", 1, 2000, 10), gpu("c2", 2, 1000, 20));
    String t = """
        - name: worker
          replicas: 1
          template:
            spec:
              initContainers:
              - name: init
                image: busybox
              containers:
        %s""".formatted(containers.indent(8));
    SessionDriver.JobOutcome out = s.driver().schedule(s.job(job("mc", "default", 1, t)));

    SessionDriver.Placement p = out.placements().get(0);
    assertThat(p.node()).isEqualTo(node.name());
    Map<String, ContainerAllocateResponse> rs = s.admitted(p);
    assertThat(rs).containsOnlyKeys("c1", "c2");
    assertThat(rs.get("c1").getEnvsMap()).containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "2000m")
        .containsEntry("CUDA_DEVICE_SM_LIMIT", "10").doesNotContainKey("CUDA_DEVICE_MEMORY_LIMIT_1");
    assertThat(rs.get("c2").getEnvsMap()).containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "1000m")
        .containsEntry("CUDA_DEVICE_MEMORY_LIMIT_1", "1000m").containsEntry("CUDA_DEVICE_SM_LIMIT", "20");
    assertThat(rs.get("c1").getEnvsMap().get("CUDA_DEVICE_MEMORY_SHARED_CACHE"))
        .isNotEqualTo(rs.get("c2").getEnvsMap().get("CUDA_DEVICE_MEMORY_SHARED_CACHE"));
    s.assertEnforced(node, rs.get("c1"));
    s.assertEnforced(node, rs.get("c2"));
  }

  @Test
  void gangJobThatFitsStartsEveryTask() throws Exception {
    E2eStack s = stack("gangok", SchedulingPolicy.BINPACK);
    GpuNode a = s.addNode("a", 1, A100, 8192);
    GpuNode b = s.addNode("b", 1, A100, 8192);
    SessionDriver.JobOutcome out = s.driver().schedule(s.job(job("gang", "default", 2,
        task("worker", 2, gpu("main", 1, 6000, 50)))));

    assertThat(out.scheduled()).isTrue();
    assertThat(out.placements()).extracting(SessionDriver.Placement::node)
        .containsExactlyInAnyOrder(a.name(), b.name());
    for (SessionDriver.Placement p : out.placements()) {
      ContainerAllocateResponse r = s.admitted(p).get("main");
      assertThat(r.getEnvsMap()).containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "6000m");
      s.assertEnforced(s.node(p.node()), r);
    }
  }

  @Test
  void gangJobThatCannotMeetMinAvailableIsRolledBackAndNothingStarts() throws Exception {
    E2eStack s = stack("gangno", SchedulingPolicy.BINPACK);
    GpuNode node = s.addNode("a", 1, A100, 8192);
    SessionDriver.JobOutcome out = s.driver().schedule(s.job(job("gang", "default", 2,
        task("worker", 2, gpu("main", 1, 6000, 50)))));

    assertThat(out.scheduled()).isFalse();
    assertThat(out.placements()).noneMatch(SessionDriver.Placement::placed);
    assertThat(out.placements().get(0).reason()).contains("minAvailable 2").contains("rolled back");
    for (SessionDriver.Placement p : out.placements()) {
      assertThat(s.pod(p).nodeName()).as("never bound").isEmpty();
      assertThat(node.kubelet().admitted(p.pod().uid())).isFalse();
    }
    assertThat(
        s.sidecar().engine().usage(VgpuAnnotations.DEVICE_NAME).get(node.name()).devices().get(0).usedMemoryUnits())
        .as("the rolled-back task's memory is free again").isZero();
    // the freed share is really free: one 6000 MiB task now fits and runs
    SessionDriver.JobOutcome single = s.driver().schedule(s.job(job("single", "default", 1,
        task("worker", 1, gpu("main", 1, 6000, 50)))));
    assertThat(single.scheduled()).isTrue();
    s.assertEnforced(node, s.admitted(single.placements().get(0)).get("main"));
  }

  @Test
  void queueCapabilityLimitsTheVgpuMemoryItsJobsGet() throws Exception {
    E2eStack s = stack("queue", SchedulingPolicy.BINPACK);
    GpuNode node = s.addNode("a", 2, A100, 16384);
    SessionDriver driver = s.driver().withQueueCapability("research", Map.of(E2eStack.MEMORY, 10000L));
    SessionDriver.JobOutcome out = driver.schedule(s.job(job("capped", "research", 1,
        task("worker", 3, gpu("main", 1, 4000, 10)))));

    assertThat(out.scheduled()).isTrue();
    assertThat(out.placements()).filteredOn(SessionDriver.Placement::placed).hasSize(2);
    assertThat(out.placements().get(2).reason()).contains("queue research capability")
        .contains("volcano.sh/vgpu-memory allocated 8000 + requested 4000 > 10000");
    assertThat(s.pod(out.placements().get(2)).annotations()).doesNotContainKey(VgpuAnnotations.VGPU_IDS_NEW);
    assertThat(driver.queueAllocated("research")).containsEntry(E2eStack.MEMORY, 8000L);
    // another queue is not capped
    SessionDriver.JobOutcome other = driver.schedule(s.job(job("free", "default", 1,
        task("worker", 1, gpu("main", 1, 4000, 10)))));
    assertThat(other.scheduled()).isTrue();
    for (SessionDriver.Placement p : out.placements().subList(0, 2)) {
      s.assertEnforced(node, s.admitted(p).get("main"));
    }
  }

  @Test
  void binpackFillsOneCardWhileSpreadUsesBoth() throws Exception {
    E2eStack bin = stack("bin", SchedulingPolicy.BINPACK);
    GpuNode bn = bin.addNode("a", 2, A100, 16384);
    SessionDriver.JobOutcome packed = bin.driver().schedule(bin.job(job("packed", "default", 2,
        task("worker", 2, gpu("main", 1, 3000, 10)))));
    assertThat(packed.placements()).as("%s", packed.placements()).extracting(SessionDriver.Placement::node)
        .containsOnly(bn.name());
    String c0 = bin.devices(packed.placements().get(0)).split(",")[0];
    String c1 = bin.devices(packed.placements().get(1)).split(",")[0];
    assertThat(c0).as("binpack: same card").isEqualTo(c1);
    bin.assertEnforced(bn, bin.admitted(packed.placements().get(1)).get("main"));
    bin.close();

    E2eStack spread = stack("spread", SchedulingPolicy.SPREAD);
    GpuNode sn = spread.addNode("a", 2, A100, 16384);
    SessionDriver.JobOutcome spreaded = spread.driver().schedule(spread.job(job("spread", "default", 2,
        task("worker", 2, gpu("main", 1, 3000, 10)))));
    String d0 = spread.devices(spreaded.placements().get(0)).split(",")[0];
    String d1 = spread.devices(spreaded.placements().get(1)).split(",")[0];
    assertThat(spreaded.placements()).as("%s", spreaded.placements()).allMatch(SessionDriver.Placement::placed);
    assertThat(d0).as("spread: different cards").isNotEqualTo(d1);
    spread.assertEnforced(sn, spread.admitted(spreaded.placements().get(1)).get("main"));
  }

  @Test
  void typeAndUuidAnnotationsSteerTheCardChoice() throws Exception {
    E2eStack s = stack("filter", SchedulingPolicy.BINPACK);
    GpuNode a100 = s.addNode("a", 2, A100, 16384);
    GpuNode h100 = s.addNode("h", 1, "NVIDIA H100-80GB-HBM3", 16384);
    String byType = annotatedTask("nvidia.com/use-gputype", "H100", gpu("main", 1, 2000, 10));
    SessionDriver.Placement t = s.driver().schedule(s.job(job("bytype", "default", 1, byType)))
        .placements().get(0);
    assertThat(t.node()).isEqualTo(h100.name());
    s.assertEnforced(h100, s.admitted(t).get("main"));

    String wanted = a100.card(1).uuid();
    String byUuid = annotatedTask("volcano.sh/vgpu-use-gpuuuid", wanted, gpu("main", 1, 2000, 10));
    SessionDriver.Placement u = s.driver().schedule(s.job(job("byuuid", "default", 1, byUuid))).placements().get(0);
    assertThat(u.node()).isEqualTo(a100.name());
    assertThat(s.devices(u)).startsWith(wanted + ",");
    ContainerAllocateResponse r = s.admitted(u).get("main");
    assertThat(r.getEnvsMap()).containsEntry("NVIDIA_VISIBLE_DEVICES", wanted);
    s.assertEnforced(a100, r);

    String notH100 = annotatedTask("nvidia.com/nouse-gputype", "H100,A100", gpu("main", 1, 2000, 10));
    SessionDriver.JobOutcome none = s.driver().schedule(s.job(job("nouse", "default", 1, notH100)));
    assertThat(none.scheduled()).isFalse();
    assertThat(none.placements().get(0).reason()).startsWith("0/2 nodes fit");
  }

  @Test
  void exclusiveHundredPercentCoresKeepsTheCardToItself() throws Exception {
    E2eStack s = stack("excl", SchedulingPolicy.BINPACK);
    GpuNode node = s.addNode("a", 1, A100, 16384);
    SessionDriver.Placement p = s.driver().schedule(s.job(job("excl", "default", 1,
        task("worker", 1, gpu("main", 1, 4000, 100))))).placements().get(0);
    assertThat(p.node()).as(p.reason()).isEqualTo(node.name());
    ContainerAllocateResponse r = s.admitted(p).get("main");
    assertThat(r.getEnvsMap()).containsEntry("CUDA_DEVICE_SM_LIMIT", "100")
        .containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "4000m");
    s.assertEnforced(node, r);

    SessionDriver.JobOutcome second = s.driver().schedule(s.job(job("small", "default", 1,
        task("worker", 1, gpu("main", 1, 1000, 10)))));
    assertThat(second.scheduled()).as("the card is held exclusively").isFalse();
    assertThat(second.placements().get(0).reason()).startsWith("0/1 nodes fit");
  }
}
