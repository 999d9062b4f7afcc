package io.github.volcanovgpu.plugin.allocate;

import static io.github.volcanovgpu.plugin.allocate.TestPods.gpu;
import static io.github.volcanovgpu.plugin.allocate.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.cdi.CdiAnnotations;
import io.github.volcanovgpu.cdi.Kind;
import io.github.volcanovgpu.cdi.nvidia.MigMinors;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.contract.device.ResourceNames;
import io.github.volcanovgpu.mig.gpu.FakeMigGpus;
import io.github.volcanovgpu.mig.gpu.MigDevice;
import io.github.volcanovgpu.mig.profile.ProfileCatalogue;
import io.github.volcanovgpu.plugin.allocate.AllocationHandler.AllocationException;
import io.github.volcanovgpu.plugin.cdi.CdiSpecRegistry;
import io.github.volcanovgpu.plugin.cdi.DeviceListSettings;
import io.github.volcanovgpu.plugin.cdi.DeviceListStrategy;
import io.github.volcanovgpu.plugin.cdi.RecordingCdiWriter;
import io.github.volcanovgpu.plugin.mig.DynamicMigSlices;
import io.github.volcanovgpu.plugin.mig.MigInventory;
import io.github.volcanovgpu.plugin.mig.MigMinorsFile;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.FakeMigBackend;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.CDIDevice;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dynamic MIG on the Allocate path: {@code UUID[group-pos]} slices through the real layout service on a fake card. */
class MigAllocateTest {
  private static final String COUNT = "volcano.sh/vgpu-number";
  private static final String KIND = "k8s.device-plugin.nvidia.com/gpu";
  private static final String GEOMETRIES = """
      nvidia:
        knownMigGeometries:
        - models: ["A100-SXM4-40GB"]
          allowedGeometries:
          - group: group3
            geometries: [{name: 3g.20gb, memory: 20480, count: 2}]
      """;

  @TempDir
  Path hook;

  private final FakePodSource pods = new FakePodSource();
  private final FakeMigGpus machine = new FakeMigGpus();
  private final RecordingCdiWriter recorder = new RecordingCdiWriter();

  MigAllocateTest() {
    machine.addGpu(ProfileCatalogue.builtIn().byName("A100-40GB").orElseThrow(), "GPU-aaa");
  }

  private AllocationSettings settings(DeviceListStrategy... strategies) {
    DeviceListSettings list = new DeviceListSettings(EnumSet.of(strategies[0], strategies), Kind.NVIDIA_DEVICE_PLUGIN,
        CdiAnnotations.standard(), hook.resolve("cdi"));
    AllocationSettings base = new AllocationSettings(ResourceNames.volcanoDefaults(), 1, 1.0, false, "", hook,
        TestPods.NODE, hook.resolve("containers"), hook.resolve("lock"));
    CdiSpecRegistry registry = null;
    if (list.anyCdi()) {
      MigMinors minors = MigMinors.parse(MigMinorsFile.synthetic(1));
      registry = new CdiSpecRegistry(list.kind(), recorder,
          new MigInventory(machine, new FakeMigBackend(machine)::discover, () -> minors));
      registry.start();
    }
    DynamicMigSlices real = DynamicMigSlices.over(machine,
        DeviceConfig.parse(GEOMETRIES, "test").nvidia().knownMigGeometries());
    MigSlices marked = id -> {
      String uuid = real.resolve(id);
      recorder.mark("MIG device " + uuid + " ready");
      return uuid;
    };
    return base.withDeviceList(list, registry).withMigSlices(marked);
  }

  private ContainerAllocateResponse allocate(AllocationSettings s, String... ids) {
    return new VgpuAllocationHandler(s, pods).allocate(COUNT, AllocateRequest.newBuilder()
        .addContainerRequests(ContainerAllocateRequest.newBuilder().addAllDevicesIds(List.of(ids))).build())
        .getContainerResponses(0);
  }

  private String secondThreeG() {
    return machine.migDevices(0).stream().filter(d -> d.profile().equals("3g.20gb")).sorted(
        java.util.Comparator.comparingInt(MigDevice::start)).toList().get(1).uuid();
  }

  @Test
  void theMigDeviceIsCreatedThenWrittenToTheSpecThenCommittedThenAnswered() {
    AllocationSettings s = settings(DeviceListStrategy.CDI_CRI);
    pods.put(pod("p1", "GPU-aaa[group3-1],NVIDIA,20480,0:").container(gpu("main", 1)).build());
    pods.beforeNextPatch(() -> recorder.mark("pod annotation committed"));

    ContainerAllocateResponse r = allocate(s, "GPU-aaa-0");
    recorder.mark("response " + r.getCdiDevicesList().stream().map(CDIDevice::getName).toList());

    String mig = secondThreeG();
    List<String> log = recorder.log();
    assertThat(log.get(0)).isEqualTo("write [GPU-aaa, 0, all]");
    assertThat(log.get(1)).isEqualTo("MIG device " + mig + " ready");
    assertThat(log.get(2)).startsWith("write [").contains(mig).doesNotContain("GPU-aaa,");
    assertThat(log.subList(3, log.size())).containsExactly("pod annotation committed",
        "response [" + KIND + "=" + mig + "]");
    assertThat(r.getEnvsMap()).isEmpty();
    assertThat(r.getMountsList()).isEmpty();
  }

  @Test
  void envvarGivesTheMigUuidAndNoLibvgpuLimits() {
    pods.put(pod("p1", "GPU-aaa[group3-0],NVIDIA,20480,0:").container(gpu("main", 1)).build());

    ContainerAllocateResponse r = allocate(settings(DeviceListStrategy.ENVVAR), "GPU-aaa-0");

    assertThat(r.getEnvsMap()).containsExactly(java.util.Map.entry("NVIDIA_VISIBLE_DEVICES",
        machine.migDevices(0).stream().filter(d -> d.start() == 0).findFirst().orElseThrow().uuid()));
  }

  @Test
  void aPositionOutsideTheGroupFailsTheAllocateAndMarksThePodFailed() {
    pods.put(pod("p1", "GPU-aaa[group3-5],NVIDIA,20480,0:").container(gpu("main", 1)).build());

    assertThatThrownBy(() -> allocate(settings(DeviceListStrategy.ENVVAR), "GPU-aaa-0"))
        .isInstanceOfSatisfying(AllocationException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.INTERNAL);
          assertThat(e.getMessage()).contains("GPU-aaa[group3-5]", "position 5 is outside the group");
        });
    assertThat(pods.get("ns", "p1").annotation(VgpuAnnotations.BIND_PHASE)).isEqualTo("failed");
    assertThat(machine.gpuInstances(0)).isEmpty();
  }

  @Test
  void migAndWholeCardSlicesInOneContainerAreRefused() {
    pods.put(pod("p1", "GPU-aaa[group3-0],NVIDIA,20480,0:GPU-bbb,NVIDIA,1000,0:").container(gpu("main", 2)).build());

    assertThatThrownBy(() -> allocate(settings(DeviceListStrategy.ENVVAR), "GPU-aaa-0", "GPU-bbb-0"))
        .isInstanceOf(AllocationException.class).hasMessageContaining("both MIG slices and whole-card slices");
    assertThat(machine.gpuInstances(0)).isEmpty();
  }
}
