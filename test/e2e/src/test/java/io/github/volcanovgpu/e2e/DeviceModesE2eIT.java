package io.github.volcanovgpu.e2e;

import static io.github.volcanovgpu.e2e.SchedulingE2eIT.gpu;
import static io.github.volcanovgpu.e2e.SchedulingE2eIT.job;
import static io.github.volcanovgpu.e2e.SchedulingE2eIT.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.kube.RealApiServer;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.bridge.simulate.SessionDriver;
import io.github.volcanovgpu.cdi.CdiAnnotations;
import io.github.volcanovgpu.cdi.CdiCodec;
import io.github.volcanovgpu.cdi.CdiSpec;
import io.github.volcanovgpu.cdi.Kind;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.contract.device.GpuMode;
import io.github.volcanovgpu.mig.gpu.FakeMigGpus;
import io.github.volcanovgpu.mig.gpu.MigDevice;
import io.github.volcanovgpu.plugin.cdi.DeviceListSettings;
import io.github.volcanovgpu.plugin.cdi.DeviceListStrategy;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.github.volcanovgpu.proto.kubelet.v1beta1.CDIDevice;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device plugin's other device-list and sharing modes through the full stack: CDI, and a MIG geometry. */
@RealApiServer
class DeviceModesE2eIT {
  private final ApiClient client;
  private final KubeClients kube;
  private final CoreV1Api api;
  private final TestNamespace ns;
  private E2eStack stack;
  @TempDir
  Path cdiRoot;

  DeviceModesE2eIT(ApiClient client, KubeClients kube, CoreV1Api api, TestNamespace ns) {
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

  @Test
  void cdiModeNamesDevicesThatExistInTheSpecDirectoryAndKeepsTheLimitEnvs() throws Exception {
    stack = new E2eStack(client, kube, api, ns, "cdi", SchedulingPolicy.BINPACK);
    GpuNode node = stack.addNode("a", 2, "NVIDIA A100-SXM4-80GB", 16384, new DeviceListSettings(
        EnumSet.of(DeviceListStrategy.CDI_CRI), Kind.NVIDIA_DEVICE_PLUGIN, CdiAnnotations.standard(), cdiRoot));
    SessionDriver.Placement p = stack.driver().schedule(stack.job(job("cdi", "default", 1,
        task("worker", 1, gpu("main", 1, 3000, 30))))).placements().get(0);
    assertThat(p.node()).as(p.reason()).isEqualTo(node.name());

    ContainerAllocateResponse r = stack.admitted(p).get("main");
    List<String> named = r.getCdiDevicesList().stream().map(CDIDevice::getName).toList();
    String uuid = stack.devices(p).split(",")[0];
    assertThat(named).isNotEmpty().anyMatch(n -> n.endsWith("=" + uuid));
    assertThat(devicesOnDisk()).containsAll(named);
    assertThat(r.getEnvsMap()).doesNotContainKey("NVIDIA_VISIBLE_DEVICES")
        .containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "3000m");
    // the CDI runtime would set the device list; the probe sees the one card
    stack.assertEnforced(node, r.toBuilder().putEnvs("NVIDIA_VISIBLE_DEVICES", uuid).build());
  }

  private Set<String> devicesOnDisk() throws Exception {
    CdiCodec codec = new CdiCodec();
    Set<String> out = new TreeSet<>();
    try (Stream<Path> files = Files.list(cdiRoot)) {
      for (Path f : files.toList()) {
        CdiSpec spec = codec.read(Files.readString(f), CdiCodec.Format.JSON, f.toString());
        spec.deviceNames().forEach(n -> out.add(spec.kind() + "=" + n));
      }
    }
    return out;
  }

  static final String MIG_CONFIG = """
      nvidia:
        resourceCountName: volcano.sh/vgpu-number
        resourceMemoryName: volcano.sh/vgpu-memory
        resourceCoreName: volcano.sh/vgpu-cores
        knownMigGeometries:
        - models: [ "A100-SXM4-40GB", "A100-PCIE-40GB" ]
          allowedGeometries:
            - group: group1
              geometries:
              - name: 1g.5gb
                memory: 5120
                count: 7
            - group: group3
              geometries:
              - name: 3g.20gb
                memory: 20480
                count: 2
      """;

  /**
   * A node in MIG operating mode served by the real device plugin over a fake MIG machine (one A100-40GB, MIG off):
   * the sidecar (configured with knownMigGeometries) assigns {@code UUID[group-pos]}, the kubelet admits the pod, the
   * plugin brings the card to the group's layout and answers with the MIG device; the next pod takes the adopted
   * group's next slot on the same layout, nothing recreated. MIG instances are their own limit: no libvgpu envs.
   */
  @Test
  void migGeometryIsAppliedOnAllocateAndThePodGetsItsMigDevice() throws Exception {
    stack = new E2eStack(client, kube, api, ns, "mig", SchedulingPolicy.BINPACK,
        DeviceConfig.parse(MIG_CONFIG, "mig test config"));
    FakeMigGpus machine = new FakeMigGpus();
    GpuNode node = stack.addMigNode("m", machine);
    String card = node.card(0).uuid();
    assertThat(stack.registered(node.name())).singleElement()
        .satisfies(g -> assertThat(g.mode()).isEqualTo(GpuMode.MIG));

    SessionDriver.Placement p = stack.driver().schedule(stack.job(job("big", "default", 1,
        task("worker", 1, gpu("main", 1, 15000, 0))))).placements().get(0);
    assertThat(p.node()).as(p.reason()).isEqualTo(node.name());
    assertThat(stack.pod(p).annotations()).containsEntry(VgpuAnnotations.VGPU_IDS_NEW,
        card + "[group3-0],NVIDIA,20480,0:");
    ContainerAllocateResponse r = stack.admitted(p).get("main");

    List<MigDevice> instances = machine.migDevices(0).stream()
        .sorted(java.util.Comparator.comparingInt(MigDevice::start)).toList();
    assertThat(instances).extracting(MigDevice::profile).containsExactly("3g.20gb", "3g.20gb");
    assertThat(r.getEnvsMap()).containsExactly(Map.entry("NVIDIA_VISIBLE_DEVICES", instances.get(0).uuid()));
    assertThat(stack.pod(p).annotations()).containsEntry(VgpuAnnotations.BIND_PHASE,
        VgpuAnnotations.BIND_PHASE_SUCCESS);

    SessionDriver.Placement second = stack.driver().schedule(stack.job(job("small", "default", 1,
        task("worker", 1, gpu("main", 1, 1000, 0))))).placements().get(0);
    assertThat(stack.devices(second)).as("the adopted group's next slot").startsWith(card + "[group3-1],");
    assertThat(stack.admitted(second).get("main").getEnvsMap())
        .containsEntry("NVIDIA_VISIBLE_DEVICES", instances.get(1).uuid());
    assertThat(machine.migDevices(0)).extracting(MigDevice::uuid)
        .containsExactlyInAnyOrderElementsOf(instances.stream().map(MigDevice::uuid).toList());
  }
}
