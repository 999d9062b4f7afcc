package io.github.volcanovgpu.plugin.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.volcanovgpu.cdi.CdiAnnotations;
import io.github.volcanovgpu.cdi.CdiCodec;
import io.github.volcanovgpu.cdi.CdiDevice;
import io.github.volcanovgpu.cdi.CdiSpec;
import io.github.volcanovgpu.cdi.DeviceNode;
import io.github.volcanovgpu.cdi.Kind;
import io.github.volcanovgpu.cdi.nvidia.MigMinors;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.mig.gpu.FakeMigGpus;
import io.github.volcanovgpu.mig.gpu.GpuInstance;
import io.github.volcanovgpu.mig.gpu.MigDevice;
import io.github.volcanovgpu.mig.profile.GpuModel;
import io.github.volcanovgpu.mig.profile.ProfileCatalogue;
import io.github.volcanovgpu.plugin.DevicePlugin;
import io.github.volcanovgpu.plugin.allocate.FakePodSource;
import io.github.volcanovgpu.plugin.allocate.PodSnapshot;
import io.github.volcanovgpu.plugin.cdi.DeviceListSettings;
import io.github.volcanovgpu.plugin.cdi.DeviceListStrategy;
import io.github.volcanovgpu.plugin.mig.MigMinorsFile;
import io.github.volcanovgpu.plugin.mig.MigSetupException;
import io.github.volcanovgpu.plugin.mig.MigStrategy;
import io.github.volcanovgpu.plugin.register.NodeConfig;
import io.github.volcanovgpu.plugin.register.PluginSettings;
import io.github.volcanovgpu.plugin.vendor.nvidia.NodeInventory;
import io.github.volcanovgpu.plugin.vendor.nvidia.NvidiaBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.FakeMigBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.PhysicalGpu;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.CDIDevice;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.Device;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device plugin with MIG, assembled on a fake MIG machine (mig-manager's {@link FakeMigGpus}, the plugin's cards
 * derived from it by {@link FakeMigBackend}) and answering the test kubelet over real unix sockets: dynamic MIG
 * (node {@code operatingmode: mig}, {@code UUID[group-pos]} slices), the static strategies single and mixed, and CDI.
 */
class MigDevicePluginIT {
  private static final String NUMBER = "volcano.sh/vgpu-number";
  private static final String MEMORY = "volcano.sh/vgpu-memory";
  private static final String NODE = "mig-node";
  private static final String KIND = "k8s.device-plugin.nvidia.com/gpu";
  private static final GpuModel A100 = ProfileCatalogue.builtIn().byName("A100-40GB").orElseThrow();
  private static final String GEOMETRIES = """
      nvidia:
        knownMigGeometries:
        - models: ["A100-SXM4-40GB", "A100-PCIE-40GB"]
          allowedGeometries:
          - group: group1
            geometries: [{name: 1g.5gb, memory: 5120, count: 7}]
          - group: group2
            geometries: [{name: 2g.10gb, memory: 10240, count: 3}, {name: 1g.5gb, memory: 5120, count: 1}]
          - group: group3
            geometries: [{name: 3g.20gb, memory: 20480, count: 2}]
      """;
  private static final String MIG_NODE = "{\"nodeconfig\":[{\"name\":\"" + NODE + "\",\"operatingmode\":\"mig\"}]}";

  @TempDir
  Path hook;
  @TempDir
  Path cdiRoot;
  @TempDir
  Path work;
  private Path dir;
  private TestKubelet kubelet;
  private DevicePlugin plugin;
  private final FakePodSource pods = new FakePodSource();
  private final FakeMigGpus machine = new FakeMigGpus();

  @AfterEach
  void stop() throws Exception {
    if (plugin != null) {
      plugin.close();
    }
    if (kubelet != null) {
      kubelet.close();
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private DevicePlugin start(String nodeConfig, MigStrategy strategy, Set<DeviceListStrategy> list)
      throws IOException {
    dir = Files.createTempDirectory(Path.of("/tmp"), "migit");
    kubelet = new TestKubelet(dir).start();
    Path minors = work.resolve("mig-minors");
    Files.writeString(minors, MigMinorsFile.synthetic(machine.gpus().size()));
    DeviceListSettings settings = new DeviceListSettings(list, Kind.NVIDIA_DEVICE_PLUGIN, CdiAnnotations.standard(),
        cdiRoot);
    plugin = DevicePlugin.start(new DevicePlugin.Options(NODE, dir, DeviceConfig.parse(GEOMETRIES, "test"),
        NodeConfig.parse(nodeConfig, "test"), Duration.ofSeconds(30), Map.of()),
        List.of(new NvidiaBackend(new FakeMigBackend(machine), () -> machine, NvidiaBackend.Settings.defaults(hook)
            .withDeviceList(settings).withMig(strategy, MigMinorsFile.reader(minors)))),
        new DevicePlugin.Cluster.Pods(pods), new SimpleMeterRegistry(), Clock.systemUTC());
    return plugin;
  }

  private ContainerAllocateResponse allocate(String resource, String... ids) {
    return kubelet.allocate(resource, AllocateRequest.newBuilder()
        .addContainerRequests(ContainerAllocateRequest.newBuilder().addAllDevicesIds(List.of(ids))).build())
        .getContainerResponses(0);
  }

  private int addGpu(String uuid, boolean migEnabled, String... instances) {
    int gpu = machine.addGpu(A100, uuid);
    if (migEnabled) {
      machine.setMigMode(gpu, true);
    }
    for (String instance : instances) {
      String[] profileAtStart = instance.split("@");
      GpuInstance gi = machine.createGpuInstance(gpu, A100.profile(profileAtStart[0]).orElseThrow(),
          Integer.parseInt(profileAtStart[1]));
      machine.createComputeInstance(gpu, gi.id());
    }
    return gpu;
  }

  private Map<String, Integer> layout(int gpu) {
    Map<String, Integer> out = new TreeMap<>();
    machine.gpuInstances(gpu).forEach(gi -> out.merge(gi.profile(), 1, Integer::sum));
    return out;
  }

  /** The {@code k}-th MIG device of {@code profile} on {@code gpu} by placement start (Volcano's slot order). */
  private String migUuid(int gpu, String profile, int k) {
    return machine.migDevices(gpu).stream().filter(d -> d.profile().equals(profile))
        .sorted(Comparator.comparingInt(MigDevice::start)).toList().get(k).uuid();
  }

  @Test
  void migModeRegistersTheVgpuResourcesAndTheAnnotationSaysMig() throws Exception {
    addGpu("GPU-a100-0", false);
    start(MIG_NODE, MigStrategy.NONE, EnumSet.of(DeviceListStrategy.ENVVAR));

    await().atMost(Duration.ofSeconds(5)).until(() -> kubelet.devices(NUMBER).size() == 10);
    await().atMost(Duration.ofSeconds(5)).until(() -> !kubelet.devices(MEMORY).isEmpty()); // its own stream
    PluginSettings settings = PluginSettings.resolve(NODE, DeviceConfig.parse(GEOMETRIES, "t").nvidia(),
        NodeConfig.parse(MIG_NODE, "t"), PluginSettings.Overrides.none());
    assertThat(NodeInventory.annotation(plugin.devices(PhysicalGpu.class), Map.of(), settings))
        .isEqualTo("GPU-a100-0,10,40448,NVIDIA-NVIDIA A100-SXM4-40GB,true,mig:");
  }

  @Test
  void dynamicMigAllocateAppliesTheGroupLayoutAndHandsOutTheMigDeviceOfThePosition() throws Exception {
    int gpu = addGpu("GPU-a100-0", false);
    start(MIG_NODE, MigStrategy.NONE, EnumSet.of(DeviceListStrategy.ENVVAR));
    await().atMost(Duration.ofSeconds(5)).until(() -> kubelet.devices(NUMBER).size() == 10);
    pods.put(pod("train", "uid-train", "GPU-a100-0[group2-1],NVIDIA,10240,0:"));

    ContainerAllocateResponse r = allocate(NUMBER, "GPU-a100-0-4");

    assertThat(layout(gpu)).isEqualTo(Map.of("2g.10gb", 3, "1g.5gb", 1));
    assertThat(r.getEnvsMap()).containsExactly(Map.entry("NVIDIA_VISIBLE_DEVICES", migUuid(gpu, "2g.10gb", 1)));
    assertThat(r.getEnvsMap().get("NVIDIA_VISIBLE_DEVICES")).startsWith("MIG-");
    assertThat(r.getMountsList()).as("no libvgpu in mig mode").isEmpty();
    assertThat(pods.annotation("train", VgpuAnnotations.BIND_PHASE)).isEqualTo(VgpuAnnotations.BIND_PHASE_SUCCESS);

    // the last slot of the group (1g.5gb) on the card that already has the layout: nothing recreated
    List<String> before = machine.migDevices(gpu).stream().map(MigDevice::uuid).toList();
    pods.put(pod("infer", "uid-infer", "GPU-a100-0[group2-3],NVIDIA,5120,0:"));
    ContainerAllocateResponse second = allocate(NUMBER, "GPU-a100-0-5");
    assertThat(machine.migDevices(gpu).stream().map(MigDevice::uuid).toList()).isEqualTo(before);
    assertThat(second.getEnvsMap()).containsEntry("NVIDIA_VISIBLE_DEVICES", migUuid(gpu, "1g.5gb", 0));
  }

  @Test
  void aBusyCardIsNotReconfiguredAndTheAllocateFailsWithAClearError() throws Exception {
    int gpu = addGpu("GPU-a100-0", true, "3g.20gb@0", "3g.20gb@4");
    machine.setRunningClients(gpu, true);
    start(MIG_NODE, MigStrategy.NONE, EnumSet.of(DeviceListStrategy.ENVVAR));
    await().atMost(Duration.ofSeconds(5)).until(() -> kubelet.devices(NUMBER).size() == 10);
    pods.put(pod("train", "uid-train", "GPU-a100-0[group1-0],NVIDIA,5120,0:"));

    assertThatThrownBy(() -> allocate(NUMBER, "GPU-a100-0-0"))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).contains("ns/train", "GPU-a100-0[group1-0]",
              "running MIG clients");
        });
    assertThat(layout(gpu)).isEqualTo(Map.of("3g.20gb", 2));
    assertThat(pods.annotation("train", VgpuAnnotations.BIND_PHASE)).isEqualTo(VgpuAnnotations.BIND_PHASE_FAILED);

    // a slice of the layout the busy card already has needs no change and is handed out
    pods.put(pod("other", "uid-other", "GPU-a100-0[group3-1],NVIDIA,20480,0:"));
    assertThat(allocate(NUMBER, "GPU-a100-0-1").getEnvsMap())
        .containsEntry("NVIDIA_VISIBLE_DEVICES", migUuid(gpu, "3g.20gb", 1));
  }

  @Test
  void migInstanceCreatedAfterStartIsInTheCdiSpecBeforeTheAllocateReply() throws Exception {
    int gpu = addGpu("GPU-a100-0", false);
    start(MIG_NODE, MigStrategy.NONE, EnumSet.of(DeviceListStrategy.CDI_CRI, DeviceListStrategy.CDI_ANNOTATIONS));
    await().atMost(Duration.ofSeconds(5)).until(() -> kubelet.devices(NUMBER).size() == 10);
    assertThat(devicesOnDisk().keySet()).as("at start: the card, no MIG device")
        .containsExactlyInAnyOrder(KIND + "=GPU-a100-0", KIND + "=0", KIND + "=all");
    pods.put(pod("train", "uid-train", "GPU-a100-0[group3-1],NVIDIA,20480,0:"));

    ContainerAllocateResponse r = allocate(NUMBER, "GPU-a100-0-0");

    // read right after the reply: the spec was rewritten on the Allocate path, before the answer left the plugin
    Map<String, CdiDevice> onDisk = devicesOnDisk();
    String mig = migUuid(gpu, "3g.20gb", 1);
    List<String> named = r.getCdiDevicesList().stream().map(CDIDevice::getName).toList();
    assertThat(named).containsExactly(KIND + "=" + mig);
    assertThat(r.getAnnotationsMap()).containsExactly(Map.entry("cdi.k8s.io/volcano-vgpu_uid-train", KIND + "=" + mig));
    assertThat(onDisk).containsKeys(KIND + "=" + mig);
    assertThat(onDisk).as("MIG on: the card itself is no CDI device any more").doesNotContainKey(KIND + "=0");
    MigDevice device = machine.migDevices(gpu).stream().filter(d -> d.uuid().equals(mig)).findFirst().orElseThrow();
    MigMinors minors = MigMinors.parse(MigMinorsFile.synthetic(1));
    assertThat(onDisk.get(KIND + "=" + mig).containerEdits().deviceNodes()).extracting(DeviceNode::path)
        .containsExactly("/dev/nvidia0",
            "/dev/nvidia-caps/nvidia-cap" + minors.giAccess(0, device.gpuInstanceId()),
            "/dev/nvidia-caps/nvidia-cap" + minors.ciAccess(0, device.gpuInstanceId(), device.computeInstanceId()));
    assertThat(r.getEnvsMap()).doesNotContainKey("NVIDIA_VISIBLE_DEVICES");
  }

  @Test
  void mixedStrategyRegistersOneResourcePerProfileAndAllocateReturnsThatInstance() throws Exception {
    int gpu = addGpu("GPU-mig", true, "1g.5gb@0", "1g.5gb@1", "3g.20gb@4");
    addGpu("GPU-whole", false);
    start("", MigStrategy.MIXED, EnumSet.of(DeviceListStrategy.ENVVAR, DeviceListStrategy.CDI_CRI));

    await().atMost(Duration.ofSeconds(5)).until(() -> kubelet.devices("nvidia.com/mig-3g.20gb").size() == 1
        && kubelet.devices("nvidia.com/mig-1g.5gb").size() == 2 && kubelet.devices(NUMBER).size() == 10);
    assertThat(ids("nvidia.com/mig-1g.5gb")).containsExactlyInAnyOrder(migUuid(gpu, "1g.5gb", 0),
        migUuid(gpu, "1g.5gb", 1));
    assertThat(ids(NUMBER)).allMatch(id -> id.startsWith("GPU-whole-"));
    assertThat(kubelet.endpoint("nvidia.com/mig-1g.5gb")).isEqualTo("nvidia-mig-1g.5gb.sock");
    assertThat(plugin.devices(PhysicalGpu.class)).extracting(g -> g.uuid()).containsExactly("GPU-whole");

    String mig = migUuid(gpu, "3g.20gb", 0);
    ContainerAllocateResponse r = allocate("nvidia.com/mig-3g.20gb", mig);

    assertThat(r.getEnvsMap()).containsExactly(Map.entry("NVIDIA_VISIBLE_DEVICES", mig));
    assertThat(r.getCdiDevicesList()).extracting(CDIDevice::getName).containsExactly(KIND + "=" + mig);
    assertThat(devicesOnDisk()).containsKeys(KIND + "=" + mig, KIND + "=GPU-whole");
    assertThat(layout(gpu)).isEqualTo(Map.of("1g.5gb", 2, "3g.20gb", 1));
  }

  @Test
  void singleStrategyAdvertisesEveryMigDeviceUnderTheCountResource() throws Exception {
    int a = addGpu("GPU-a", true, "3g.20gb@0", "3g.20gb@4");
    int b = addGpu("GPU-b", true, "3g.20gb@0", "3g.20gb@4");
    start("", MigStrategy.SINGLE, EnumSet.of(DeviceListStrategy.ENVVAR));

    await().atMost(Duration.ofSeconds(5)).until(() -> kubelet.devices(NUMBER).size() == 4);
    assertThat(ids(NUMBER)).allMatch(id -> id.startsWith("MIG-"));
    assertThat(kubelet.registrations(MEMORY)).as("no whole card, no memory resource").isZero();
    assertThat(plugin.devices(PhysicalGpu.class)).isEmpty();

    ContainerAllocateResponse r = allocate(NUMBER, migUuid(a, "3g.20gb", 1), migUuid(b, "3g.20gb", 0));

    assertThat(r.getEnvsMap()).containsExactly(Map.entry("NVIDIA_VISIBLE_DEVICES",
        migUuid(a, "3g.20gb", 1) + "," + migUuid(b, "3g.20gb", 0)));
  }

  @Test
  void singleStrategyWithDifferentLayoutsRefusesToStart() throws Exception {
    addGpu("GPU-a", true, "3g.20gb@0", "3g.20gb@4");
    addGpu("GPU-b", true, "1g.5gb@0");

    assertThatThrownBy(() -> start("", MigStrategy.SINGLE, EnumSet.of(DeviceListStrategy.ENVVAR)))
        .isInstanceOf(MigSetupException.class)
        .hasMessageContaining("mig-strategy single: all MIG devices must have one profile")
        .hasMessageContaining("1g.5gb").hasMessageContaining("3g.20gb");
  }

  @Test
  void noneStrategyAdvertisesMigEnabledCardsWhole() throws Exception {
    addGpu("GPU-mig", true, "3g.20gb@0");
    start("", MigStrategy.NONE, EnumSet.of(DeviceListStrategy.ENVVAR));

    await().atMost(Duration.ofSeconds(5)).until(() -> kubelet.devices(NUMBER).size() == 10);
    assertThat(ids(NUMBER)).allMatch(id -> id.startsWith("GPU-mig-"));
    assertThat(kubelet.registrations("nvidia.com/mig-3g.20gb")).isZero();
  }

  private List<String> ids(String resource) {
    return kubelet.devices(resource).stream().map(Device::getID).toList();
  }

  private Map<String, CdiDevice> devicesOnDisk() throws IOException {
    CdiCodec codec = new CdiCodec();
    Map<String, CdiDevice> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(cdiRoot)) {
      for (Path f : files.toList()) {
        assertThat(f.getFileName().toString()).as("only complete spec files").endsWith(".json");
        CdiSpec spec = codec.read(Files.readString(f), CdiCodec.Format.JSON, f.toString());
        for (CdiDevice d : spec.devices()) {
          out.put(spec.kind() + "=" + d.name(), d);
        }
      }
    }
    return out;
  }

  private static PodSnapshot pod(String name, String uid, String devices) {
    Map<String, String> a = new HashMap<>();
    a.put(VgpuAnnotations.VGPU_NODE, NODE);
    a.put(VgpuAnnotations.BIND_PHASE, VgpuAnnotations.BIND_PHASE_ALLOCATING);
    a.put(VgpuAnnotations.VGPU_TIME, "1000");
    a.put(VgpuAnnotations.DEVICES_TO_ALLOCATE, devices);
    a.put(VgpuAnnotations.VGPU_IDS_NEW, devices);
    return new PodSnapshot("ns", name, uid, "1", PodSnapshot.PENDING, NODE, 0, a, List.of(),
        List.of(new PodSnapshot.Container("main", Map.of(NUMBER, "1"), Set.of())));
  }
}
