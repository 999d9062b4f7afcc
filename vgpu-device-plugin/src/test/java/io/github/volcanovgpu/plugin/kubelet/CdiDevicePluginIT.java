package io.github.volcanovgpu.plugin.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.volcanovgpu.cdi.CdiAnnotations;
import io.github.volcanovgpu.cdi.CdiCodec;
import io.github.volcanovgpu.cdi.CdiSpec;
import io.github.volcanovgpu.cdi.Kind;
import io.github.volcanovgpu.cdi.QualifiedName;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.plugin.DevicePlugin;
import io.github.volcanovgpu.plugin.allocate.FakePodSource;
import io.github.volcanovgpu.plugin.allocate.PodSnapshot;
import io.github.volcanovgpu.plugin.cdi.DeviceListSettings;
import io.github.volcanovgpu.plugin.cdi.DeviceListStrategy;
import io.github.volcanovgpu.plugin.register.NodeConfig;
import io.github.volcanovgpu.plugin.vendor.nvidia.NvidiaBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.FakeGpuBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.PhysicalGpu;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.CDIDevice;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The device plugin assembled in CDI mode ({@code --device-list-strategy cdi-cri,cdi-annotations --cdi-root DIR}) on
 * the fake GPU backend, answering the test kubelet over a real unix socket; pods from an in-memory pod source.
 */
class CdiDevicePluginIT {
  private static final String NUMBER = "volcano.sh/vgpu-number";
  private static final String NODE = "cdi-node";

  @TempDir
  Path hook;
  @TempDir
  Path cdiRoot;
  private Path dir;
  private TestKubelet kubelet;
  private DevicePlugin plugin;
  private final FakePodSource pods = new FakePodSource();

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
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private Set<String> devicesOnDisk() throws IOException {
    CdiCodec codec = new CdiCodec();
    Set<String> out = new TreeSet<>();
    try (Stream<Path> files = Files.list(cdiRoot)) {
      for (Path f : files.toList()) {
        assertThat(f.getFileName().toString()).as("only complete spec files").endsWith(".json");
        CdiSpec spec = codec.read(Files.readString(f), CdiCodec.Format.JSON, f.toString());
        spec.deviceNames().forEach(n -> out.add(spec.kind() + "=" + n));
      }
    }
    return out;
  }

  private void start(Set<DeviceListStrategy> strategies) throws IOException {
    dir = Files.createTempDirectory(Path.of("/tmp"), "cdiit");
    kubelet = new TestKubelet(dir).start();
    DeviceListSettings list = new DeviceListSettings(strategies, Kind.NVIDIA_DEVICE_PLUGIN,
        CdiAnnotations.standard(), cdiRoot);
    plugin = DevicePlugin.start(new DevicePlugin.Options(NODE, dir, DeviceConfig.defaults(), NodeConfig.empty(),
        Duration.ofSeconds(30), Map.of()),
        List.of(new NvidiaBackend(FakeGpuBackend.ofCount(2), null,
            NvidiaBackend.Settings.defaults(hook).withDeviceList(list))),
        new DevicePlugin.Cluster.Pods(pods), new SimpleMeterRegistry(), Clock.systemUTC());
    await().atMost(Duration.ofSeconds(5)).until(() -> kubelet.devices(NUMBER).size() == 20);
  }

  @Test
  void theSpecIsWrittenAtStartAndEveryAnsweredCdiDeviceResolvesFromTheSpecDirectory() throws Exception {
    start(EnumSet.of(DeviceListStrategy.CDI_CRI, DeviceListStrategy.CDI_ANNOTATIONS));
    String uuid0 = plugin.devices(PhysicalGpu.class).get(0).uuid();
    String uuid1 = plugin.devices(PhysicalGpu.class).get(1).uuid();
    String kind = "k8s.device-plugin.nvidia.com/gpu";
    assertThat(cdiRoot.resolve("k8s.device-plugin.nvidia.com-gpu.json")).exists();
    assertThat(devicesOnDisk()).containsExactlyInAnyOrder(kind + "=" + uuid0, kind + "=0", kind + "=" + uuid1,
        kind + "=1", kind + "=all");

    pods.put(pod("train", "uid-train", uuid1 + ",NVIDIA,3000,30:"));
    ContainerAllocateResponse r = kubelet.allocate(NUMBER, AllocateRequest.newBuilder()
        .addContainerRequests(ContainerAllocateRequest.newBuilder().addDevicesIds(uuid1 + "-3")).build())
        .getContainerResponses(0);

    List<String> cri = r.getCdiDevicesList().stream().map(CDIDevice::getName).toList();
    assertThat(cri).containsExactly(kind + "=" + uuid1, kind + "=vgpu-uid-train_main");
    assertThat(CdiAnnotations.standard().parse(r.getAnnotationsMap())).extracting(QualifiedName::toString)
        .isEqualTo(cri);
    assertThat(r.getEnvsMap()).doesNotContainKey("NVIDIA_VISIBLE_DEVICES")
        .containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "3000m");
    assertThat(devicesOnDisk()).containsAll(cri);
    assertThat(pods.annotation("train", VgpuAnnotations.BIND_PHASE)).isEqualTo(VgpuAnnotations.BIND_PHASE_SUCCESS);
  }

  @Test
  void envvarModeWritesNoSpec() throws Exception {
    start(EnumSet.of(DeviceListStrategy.ENVVAR));
    String uuid0 = plugin.devices(PhysicalGpu.class).get(0).uuid();
    pods.put(pod("p", "uid-p", uuid0 + ",NVIDIA,1000,10:"));

    ContainerAllocateResponse r = kubelet.allocate(NUMBER, AllocateRequest.newBuilder()
        .addContainerRequests(ContainerAllocateRequest.newBuilder().addDevicesIds(uuid0 + "-0")).build())
        .getContainerResponses(0);

    assertThat(r.getEnvsMap()).containsEntry("NVIDIA_VISIBLE_DEVICES", uuid0);
    assertThat(r.getCdiDevicesList()).isEmpty();
    try (Stream<Path> files = Files.list(cdiRoot)) {
      assertThat(files).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(DeviceListStrategy.class)
  void eachStrategyAloneAnswersThroughTheKubeletAsConfigured(DeviceListStrategy strategy) throws Exception {
    start(EnumSet.of(strategy));
    String uuid = plugin.devices(PhysicalGpu.class).get(0).uuid();
    pods.put(pod("p", "uid-p", uuid + ",NVIDIA,1000,10:"));

    ContainerAllocateResponse r = kubelet.allocate(NUMBER, AllocateRequest.newBuilder()
        .addContainerRequests(ContainerAllocateRequest.newBuilder().addDevicesIds(uuid + "-0")).build())
        .getContainerResponses(0);

    String kind = "k8s.device-plugin.nvidia.com/gpu";
    List<String> expected = List.of(kind + "=" + uuid, kind + "=vgpu-uid-p_main");
    assertThat(r.getEnvsMap()).containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "1000m");
    switch (strategy) {
      case ENVVAR -> assertThat(r.getEnvsMap()).containsEntry("NVIDIA_VISIBLE_DEVICES", uuid);
      case VOLUME_MOUNTS -> assertThat(r.getMountsList()).anyMatch(m -> m.getContainerPath()
          .equals("/var/run/nvidia-container-devices/" + uuid) && m.getHostPath().equals("/dev/null"));
      case CDI_CRI -> assertThat(r.getCdiDevicesList()).extracting(CDIDevice::getName).isEqualTo(expected);
      case CDI_ANNOTATIONS -> assertThat(r.getAnnotationsMap()).containsExactly(
          Map.entry("cdi.k8s.io/volcano-vgpu_uid-p", String.join(",", expected)));
      default -> throw new AssertionError(strategy);
    }
    if (strategy.isCdi()) {
      assertThat(r.getEnvsMap()).doesNotContainKey("NVIDIA_VISIBLE_DEVICES");
      assertThat(devicesOnDisk()).containsAll(expected);
    } else {
      assertThat(r.getCdiDevicesList()).isEmpty();
      assertThat(r.getAnnotationsMap()).isEmpty();
    }
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
