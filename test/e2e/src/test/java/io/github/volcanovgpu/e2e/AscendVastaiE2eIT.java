package io.github.volcanovgpu.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.kube.RealApiServer;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.bridge.simulate.SessionDriver;
import io.github.volcanovgpu.contract.annotation.HamiAnnotations;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfo;
import io.github.volcanovgpu.contract.annotation.HamiDeviceInfoCodec;
import io.github.volcanovgpu.contract.annotation.PodDevicesCodec;
import io.github.volcanovgpu.contract.annotation.VastaiAnnotations;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.env.NpuEnv;
import io.github.volcanovgpu.plugin.vendor.vastai.DeviceStrategy;
import io.github.volcanovgpu.plugin.vendor.vastai.VastaiBackend;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ascend and Vastai from vcjob to enforced limit: the sidecar over HTTP places the pods (Volcano's session driver),
 * binds them, the node's test kubelet admits them through the real device plugin on fake NPUs / dies, and for
 * hami-core shares libvgpu's npu-probe runs on the stub Ascend runtime with the Allocate answer's envs, mounts and
 * limits file: the share allocates, one MiB more is refused (207001).
 */
@RealApiServer
class AscendVastaiE2eIT {
  private static final String C = "Ascend910C";
  private final ApiClient client;
  private final KubeClients kube;
  private final CoreV1Api api;
  private final TestNamespace ns;
  private E2eStack stack;

  AscendVastaiE2eIT(ApiClient client, KubeClients kube, CoreV1Api api, TestNamespace ns) {
    this.client = client;
    this.kube = kube;
    this.api = api;
    this.ns = ns;
  }

  @AfterEach
  void stop() throws Exception {
    if (stack != null) {
      stack.close();
    }
  }

  private static String job(String name, int replicas, String annotations, String limits) {
    return """
        apiVersion: batch.volcano.sh/v1alpha1
        kind: Job
        metadata: {name: %s, namespace: NS}
        spec:
          schedulerName: volcano
          minAvailable: %d
          tasks:
          - name: worker
            replicas: %d
            template:
              metadata:
                annotations: {%s}
              spec:
                containers:
                - name: main
                  image: ascendai/cann
                  resources:
                    limits: {%s}
        """.formatted(name, replicas, replicas, annotations, limits);
  }

  private List<DeviceSlice> assigned(SessionDriver.Placement p, String commonWord) throws Exception {
    String value = stack.pod(p).annotations().getOrDefault(HamiAnnotations.devicesAllocated(commonWord), "");
    return PodDevicesCodec.decodeHamiLenient(value).allSlices();
  }

  /** The registered device records of the node, by id. */
  private Map<String, HamiDeviceInfo> registered(String node, String key) throws Exception {
    Map<String, HamiDeviceInfo> out = new HashMap<>();
    String value = api.readNode(node).execute().getMetadata().getAnnotations().get(key);
    HamiDeviceInfoCodec.decode(key, value).forEach(d -> out.put(d.id(), d));
    return out;
  }

  /** For every NPU of the answer: its share allocates under libvgpu, one MiB more is refused. */
  private void assertNpuShareEnforced(ContainerAllocateResponse r, long shareMib) throws Exception {
    int npus = r.getEnvsMap().get(NpuEnv.VISIBLE_DEVICES).split(",").length;
    for (int i = 0; i < npus; i++) {
      Probe.Result within = stack.probe().runNpu(r, i, shareMib, 65536, npus);
      assertThat(within.ok()).as("alloc %d MiB within the share on NPU %d: %s", shareMib, i, within).isTrue();
      Probe.Result past = stack.probe().runNpu(r, i, shareMib + 1, 65536, npus);
      assertThat(past.oom()).as("alloc %d MiB past the share on NPU %d: %s", shareMib + 1, i, past).isTrue();
    }
  }

  @Test
  void ascendSoftSharesAndTemplatesArePlacedAsModulePairsAllocatedAndEnforced() throws Exception {
    stack = new E2eStack(client, kube, api, ns, "npu", SchedulingPolicy.BINPACK);
    KindNode core = stack.addAscendNode("core", "910Cx16", C, true);
    KindNode vnpu = stack.addAscendNode("vnpu", "910Cx16", C, false);
    Map<String, HamiDeviceInfo> coreNpus = registered(core.name(), HamiAnnotations.nodeRegister(C));

    // the upstream names: 1 NPU on a SuperPod is a module pair of 16 GiB / 30 % each, hami-core nodes only
    SessionDriver.JobOutcome soft = stack.driver().schedule(stack.job(job("soft", 2,
        "huawei.com/vnpu-mode: hami-core",
        "huawei.com/Ascend910C: 1, huawei.com/Ascend910C-memory: 16384, huawei.com/Ascend910C-core: 30")));
    assertThat(soft.scheduled()).as(soft.toString()).isTrue();
    for (SessionDriver.Placement p : soft.placements()) {
      assertThat(p.node()).isEqualTo(core.name());
      List<DeviceSlice> npus = assigned(p, C);
      assertThat(npus).hasSize(2).allMatch(s -> s.memoryUnits() == 16384 && s.coresPercent() == 30);
      assertThat(coreNpus.get(npus.get(0).uuid()).customLong("ModuleID"))
          .as("one module").isEqualTo(coreNpus.get(npus.get(1).uuid()).customLong("ModuleID"));
      ContainerAllocateResponse r = stack.admittedOn(core, p).get("main");
      assertThat(r.getEnvsMap()).containsEntry(NpuEnv.MEM_QUOTA, "16384").containsEntry(NpuEnv.CORE_PERCENT, "30");
      assertThat(stack.pod(p).annotations()).containsEntry(HamiAnnotations.BIND_PHASE, "success");
      assertNpuShareEnforced(r, 16384);
    }

    // the release notes' names: hami.io/vnpu-core is a number of NPUs of the chip the annotation names
    SessionDriver.JobOutcome seed = stack.driver().schedule(stack.job(job("seed", 1,
        "hami.io/vnpu-core: ascend910c, huawei.com/vnpu-mode: hami-core",
        "hami.io/vnpu-core: 2, hami.io/vnpu-core-memory: 8192")));
    assertThat(seed.scheduled()).as(seed.toString()).isTrue();
    SessionDriver.Placement sp = seed.placements().get(0);
    assertThat(sp.node()).isEqualTo(core.name());
    assertThat(assigned(sp, C)).hasSize(2).allMatch(s -> s.memoryUnits() == 8192);
    assertNpuShareEnforced(stack.admittedOn(core, sp).get("main"), 8192);

    // templates: 10000 MiB rounds up to vir05_1c_16g, on the template node only
    SessionDriver.JobOutcome tmpl = stack.driver().schedule(stack.job(job("tmpl", 1,
        "huawei.com/vnpu-mode: template", "huawei.com/Ascend910C: 1, huawei.com/Ascend910C-memory: 10000")));
    assertThat(tmpl.scheduled()).as(tmpl.toString()).isTrue();
    SessionDriver.Placement tp = tmpl.placements().get(0);
    assertThat(tp.node()).isEqualTo(vnpu.name());
    assertThat(assigned(tp, C)).hasSize(2).allMatch(s -> s.memoryUnits() == 16384);
    assertThat(stack.pod(tp).annotations().get("huawei.com/Ascend910C")).contains("\"temp\":\"vir05_1c_16g\"");
    ContainerAllocateResponse tr = stack.admittedOn(vnpu, tp).get("main");
    assertThat(tr.getEnvsMap()).containsEntry(NpuEnv.VNPU_SPECS, "vir05_1c_16g").doesNotContainKey(NpuEnv.MEM_QUOTA);
    assertThat(tr.getEnvsMap().get(NpuEnv.VISIBLE_DEVICES).split(",")).hasSize(2);
  }

  @Test
  void anAmbiguousOrOddAscendRequestIsRefusedWithItsReasonAndLeavesNothing() throws Exception {
    stack = new E2eStack(client, kube, api, ns, "npubad", SchedulingPolicy.BINPACK);
    stack.addAscendNode("core", "910Cx16", C, true);
    SessionDriver.JobOutcome odd = stack.driver().schedule(stack.job(job("odd", 1,
        "huawei.com/vnpu-mode: hami-core", "huawei.com/Ascend910C: 3")));
    assertThat(odd.scheduled()).isFalse();
    assertThat(odd.placements().get(0).reason()).contains("Ascend910C device request must be 1 or 2*n, got 3");
    SessionDriver.JobOutcome ambiguous = stack.driver().schedule(stack.job(job("ambiguous", 1,
        "huawei.com/vnpu-mode: hami-core", "hami.io/vnpu-core: 1")));
    assertThat(ambiguous.scheduled()).isFalse();
    assertThat(ambiguous.placements().get(0).reason()).contains("name the chip with the pod annotation");
    assertThat(stack.sidecar().engine().reservations()).isZero();
  }

  @Test
  void vastaiDiesOfAContainerLandOnOneCard() throws Exception {
    stack = new E2eStack(client, kube, api, ns, "va", SchedulingPolicy.BINPACK);
    KindNode va = stack.addVastaiNode("die", "2x4", DeviceStrategy.DIE);
    Map<String, HamiDeviceInfo> dies = registered(va.name(), VastaiAnnotations.NODE_REGISTER);
    SessionDriver.JobOutcome out = stack.driver().schedule(stack.job(job("video", 2, "",
        "vastaitech.com/va: 3")));
    assertThat(out.scheduled()).as(out.toString()).isTrue();
    List<String> cards = new java.util.ArrayList<>();
    for (SessionDriver.Placement p : out.placements()) {
      List<DeviceSlice> mine = assigned(p, VastaiAnnotations.COMMON_WORD);
      assertThat(mine).hasSize(3);
      assertThat(mine.stream().map(s -> dies.get(s.uuid()).customString("AIC").orElseThrow()).distinct())
          .as("one card").hasSize(1);
      cards.add(dies.get(mine.get(0).uuid()).customString("AIC").orElseThrow());
      ContainerAllocateResponse r = stack.admittedOn(va, p).get("main");
      assertThat(r.getEnvsMap().get(VastaiBackend.VISIBLE_DEVICES).split(",")).hasSize(3);
    }
    assertThat(cards).as("two containers of three dies on two 4-die cards").doesNotHaveDuplicates();
  }
}
