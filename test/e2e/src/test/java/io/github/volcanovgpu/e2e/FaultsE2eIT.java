package io.github.volcanovgpu.e2e;

import static io.github.volcanovgpu.e2e.SchedulingE2eIT.gpu;
import static io.github.volcanovgpu.e2e.SchedulingE2eIT.job;
import static io.github.volcanovgpu.e2e.SchedulingE2eIT.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.volcanovgpu.bridge.device.DeviceUsage;
import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.kube.RealApiServer;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.bridge.simulate.SessionDriver;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The full stack under faults: restarts of the kubelet and the sidecar, a failing card, races, a broken node. */
@RealApiServer
class FaultsE2eIT {
  private static final String A100 = "NVIDIA A100-SXM4-80GB";
  private final ApiClient client;
  private final KubeClients kube;
  private final CoreV1Api api;
  private final TestNamespace ns;
  private E2eStack stack;

  FaultsE2eIT(ApiClient client, KubeClients kube, CoreV1Api api, TestNamespace ns) {
    this.client = client;
    this.kube = kube;
    this.api = api;
    this.ns = ns;
  }

  private E2eStack stack(String tag) throws Exception {
    stack = new E2eStack(client, kube, api, ns, tag, SchedulingPolicy.BINPACK);
    return stack;
  }

  @AfterEach
  void stop() throws Exception {
    if (stack != null) {
      stack.close();
    }
  }

  private static String one(String name, long memory) {
    return job(name, "default", 1, task("worker", 1, gpu("main", 1, memory, 10)));
  }

  @Test
  void kubeletRestartMidRunKeepsRunningPodsAndAdmitsNewOnesAfterReRegistration() throws Exception {
    E2eStack s = stack("kubelet");
    GpuNode node = s.addNode("a", 1, A100, 16384);
    SessionDriver.Placement before = s.driver().schedule(s.job(one("before", 3000))).placements().get(0);
    ContainerAllocateResponse first = s.admitted(before).get("main");

    int registered = node.kubelet().sockets().registrations(E2eStack.NUMBER);
    node.kubelet().restart();
    // the test kubelet's counts survive its restart: wait for the plugin's own re-registration after it
    await().atMost(Duration.ofSeconds(20))
        .until(() -> node.plugin().manager().restarts() > 0
            && node.kubelet().sockets().registrations(E2eStack.NUMBER) > registered
            && !node.kubelet().sockets().devices(E2eStack.NUMBER).isEmpty());

    SessionDriver.Placement after = s.driver().schedule(s.job(one("after", 5000))).placements().get(0);
    assertThat(after.node()).as(after.reason()).isEqualTo(node.name());
    ContainerAllocateResponse second = s.admitted(after).get("main");
    assertThat(second.getEnvsMap()).containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "5000m");
    s.assertEnforced(node, second);
    s.assertEnforced(node, first);
  }

  @Test
  void xidOnACardWhilePodsRunMarksItUnhealthyAndNewPodsAvoidIt() throws Exception {
    E2eStack s = stack("xid");
    GpuNode node = s.addNode("a", 2, A100, 16384);
    SessionDriver.Placement running = s.driver().schedule(s.job(one("running", 3000))).placements().get(0);
    ContainerAllocateResponse r = s.admitted(running).get("main");
    String bad = r.getEnvsMap().get("NVIDIA_VISIBLE_DEVICES");

    node.gpus().injectXid(bad, 79);
    await().atMost(Duration.ofSeconds(10)).until(() -> node.kubelet().sockets().devices(E2eStack.NUMBER).stream()
        .filter(d -> d.getID().startsWith(bad)).allMatch(d -> d.getHealth().equals("Unhealthy")));
    await().atMost(Duration.ofSeconds(15)).until(() -> s.registered(node.name()).stream()
        .anyMatch(g -> g.uuid().equals(bad) && !g.healthy()));
    await().atMost(Duration.ofSeconds(10)).until(() -> s.sidecar().cache().node(node.name()).orElseThrow()
        .annotations().get(VgpuAnnotations.NODE_REGISTER).equals(
            api.readNode(node.name()).execute().getMetadata().getAnnotations().get(VgpuAnnotations.NODE_REGISTER)));

    SessionDriver.Placement next = s.driver().schedule(s.job(one("next", 3000))).placements().get(0);
    assertThat(next.node()).as(next.reason()).isEqualTo(node.name());
    assertThat(s.devices(next)).as("binpack would pick the used card; the XID moves it").doesNotContain(bad);
    s.assertEnforced(node, s.admitted(next).get("main"));
    // the running pod keeps its limit
    s.assertEnforced(node, r);
  }

  @Test
  void sidecarRestartBetweenAllocateAndBindRebuildsTheLedgerFromAnnotations() throws Exception {
    E2eStack s = stack("restart");
    GpuNode node = s.addNode("a", 1, A100, 8192);
    SessionDriver driver = s.driver().beforeBind(allocated -> {
      try {
        s.restartSidecar();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    SessionDriver.JobOutcome first = driver.schedule(s.job(one("first", 6000)));
    assertThat(first.scheduled()).isTrue();
    ContainerAllocateResponse r = s.admitted(first.placements().get(0)).get("main");
    assertThat(r.getEnvsMap()).containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "6000m");

    // the new sidecar knows the 6000 MiB from the pod's annotations: another 6000 does not fit, 2000 does
    SessionDriver.JobOutcome second = s.driver().schedule(s.job(one("second", 6000)));
    assertThat(second.scheduled()).as("no double assignment of the card").isFalse();
    SessionDriver.JobOutcome third = s.driver().schedule(s.job(one("third", 2000)));
    assertThat(third.scheduled()).isTrue();
    DeviceUsage<?> card = s.sidecar().engine().usage(VgpuAnnotations.DEVICE_NAME).get(node.name()).devices().get(0);
    assertThat(card.usedMemoryUnits()).isEqualTo(8000);
    s.assertEnforced(node, r);
    s.assertEnforced(node, s.admitted(third.placements().get(0)).get("main"));
  }

  @Test
  void twoPodsRacingForTheLastShareOnANodeGetItOnce() throws Exception {
    E2eStack s = stack("race");
    GpuNode node = s.addNode("a", 1, A100, 8192);
    assertThat(s.driver().schedule(s.job(one("base", 4096))).scheduled()).isTrue();
    CyclicBarrier start = new CyclicBarrier(2);
    List<CompletableFuture<SessionDriver.JobOutcome>> racers = List.of("left", "right").stream()
        .map(name -> CompletableFuture.supplyAsync(() -> {
          try {
            var job = s.job(one(name, 4096));
            SessionDriver d = s.driver();
            start.await();
            return d.schedule(job);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        })).toList();
    List<SessionDriver.JobOutcome> outcomes = racers.stream().map(CompletableFuture::join).toList();

    assertThat(outcomes).filteredOn(SessionDriver.JobOutcome::scheduled).hasSize(1);
    SessionDriver.JobOutcome winner = outcomes.stream().filter(SessionDriver.JobOutcome::scheduled).findFirst()
        .orElseThrow();
    SessionDriver.JobOutcome loser = outcomes.stream().filter(o -> !o.scheduled()).findFirst().orElseThrow();
    assertThat(s.pod(loser.placements().get(0)).annotations()).doesNotContainKey(VgpuAnnotations.VGPU_IDS_NEW);
    assertThat(
        s.sidecar().engine().usage(VgpuAnnotations.DEVICE_NAME).get(node.name()).devices().get(0).usedMemoryUnits())
        .isEqualTo(8192);
    s.assertEnforced(node, s.admitted(winner.placements().get(0)).get("main"));
  }

  @Test
  void malformedNodeAnnotationOnOneNodeLeavesTheOthersScheduling() throws Exception {
    E2eStack s = stack("broken");
    String broken = s.addBareNode("x", Map.of(VgpuAnnotations.NODE_REGISTER, "GPU-x,10,not-a-number,NVIDIA:"),
        Map.of(E2eStack.NUMBER, "10", E2eStack.MEMORY, "16384", E2eStack.CORES, "100"));
    GpuNode good = s.addNode("a", 1, A100, 16384);
    SessionDriver.JobOutcome out = s.driver().schedule(s.job(job("two", "default", 2,
        task("worker", 2, gpu("main", 1, 3000, 10)))));

    assertThat(out.scheduled()).isTrue();
    assertThat(out.placements()).extracting(SessionDriver.Placement::node).containsOnly(good.name());
    for (SessionDriver.Placement p : out.placements()) {
      s.assertEnforced(good, s.admitted(p).get("main"));
    }
    // alone, the broken node is a predicate failure with a reason, not an error of the extender
    s.cluster().removeNode(good.name());
    SessionDriver.JobOutcome onBroken = s.driver().schedule(s.job(one("alone", 1000)));
    assertThat(onBroken.scheduled()).isFalse();
    assertThat(onBroken.placements().get(0).reason()).startsWith("0/1 nodes fit")
        .doesNotContain("predicate call failed");
    s.cluster().addNode(good.name());
    assertThat(broken).isNotEmpty();
  }
}
