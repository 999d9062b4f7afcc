package io.github.volcanovgpu.plugin.allocate;

import static io.github.volcanovgpu.plugin.allocate.TestPods.NODE;
import static io.github.volcanovgpu.plugin.allocate.TestPods.gpu;
import static io.github.volcanovgpu.plugin.allocate.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.cdi.CdiAnnotations;
import io.github.volcanovgpu.cdi.CdiCodec;
import io.github.volcanovgpu.cdi.CdiDevice;
import io.github.volcanovgpu.cdi.CdiException;
import io.github.volcanovgpu.cdi.CdiSpec;
import io.github.volcanovgpu.cdi.Kind;
import io.github.volcanovgpu.cdi.QualifiedName;
import io.github.volcanovgpu.cdi.nvidia.NvidiaGpu;
import io.github.volcanovgpu.cdi.store.CdiSpecDirectory;
import io.github.volcanovgpu.cdi.store.CdiSpecWriter;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.device.ResourceNames;
import io.github.volcanovgpu.plugin.allocate.AllocationHandler.AllocationException;
import io.github.volcanovgpu.plugin.cdi.CdiSpecRegistry;
import io.github.volcanovgpu.plugin.cdi.DeviceListSettings;
import io.github.volcanovgpu.plugin.cdi.DeviceListStrategy;
import io.github.volcanovgpu.plugin.cdi.RecordingCdiWriter;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.CDIDevice;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.Mount;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device-list strategies on the Allocate path, with the CDI specs in a real spec directory. */
class CdiDeviceListTest {
  private static final String COUNT = "volcano.sh/vgpu-number";
  private static final String KIND = "k8s.device-plugin.nvidia.com/gpu";
  private static final String SLICE = KIND + "=vgpu-uid-p1_main";

  @TempDir
  Path hook;
  @TempDir
  Path cdiRoot;

  private final FakePodSource pods = new FakePodSource();
  private final AtomicReference<CdiSpecRegistry.Devices> node = new AtomicReference<>(new CdiSpecRegistry.Devices(
      List.of(new NvidiaGpu(0, "GPU-aaa", 0, false)), List.of()));

  private AllocationSettings settings(DeviceListSettings list, CdiSpecWriter writer) {
    AllocationSettings base = new AllocationSettings(ResourceNames.volcanoDefaults(), 1, 1.0, false, "", hook, NODE,
        hook.resolve("vgpu").resolve("containers"), hook.resolve("vgpulock"));
    if (!list.anyCdi()) {
      return base.withDeviceList(list, null);
    }
    CdiSpecRegistry registry = new CdiSpecRegistry(list.kind(), writer, node::get);
    registry.start();
    return base.withDeviceList(list, registry);
  }

  private DeviceListSettings list(DeviceListStrategy... strategies) {
    return new DeviceListSettings(EnumSet.of(strategies[0], strategies), Kind.NVIDIA_DEVICE_PLUGIN,
        CdiAnnotations.standard(), cdiRoot);
  }

  private CdiSpecDirectory directory() {
    return new CdiSpecDirectory(cdiRoot, new CdiCodec(), CdiCodec.Format.JSON);
  }

  private ContainerAllocateResponse allocate(AllocationSettings settings, String... ids) {
    pods.put(pod("p1", "GPU-aaa,NVIDIA,3000,30:").container(gpu("main", ids.length)).build());
    return new VgpuAllocationHandler(settings, pods).allocate(COUNT, AllocateRequest.newBuilder()
        .addContainerRequests(ContainerAllocateRequest.newBuilder().addAllDevicesIds(List.of(ids))).build())
        .getContainerResponses(0);
  }

  /** Every device in the spec files of the directory, qualified. */
  private Set<String> devicesOnDisk() throws IOException {
    CdiCodec codec = new CdiCodec();
    Set<String> out = new java.util.TreeSet<>();
    try (Stream<Path> files = Files.list(cdiRoot)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json") || p.toString().endsWith(".yaml")).toList()) {
        CdiSpec spec = codec.read(Files.readString(f), CdiCodec.Format.ofFileName(f.toString()), f.toString());
        for (CdiDevice d : spec.devices()) {
          out.add(spec.kind() + "=" + d.name());
        }
      }
    }
    return out;
  }

  private static List<String> cdiNames(ContainerAllocateResponse r) {
    return r.getCdiDevicesList().stream().map(CDIDevice::getName).toList();
  }

  @Test
  void envvarAloneIsTheClassicResponseWithoutCdiAndWritesNoSpec() throws IOException {
    ContainerAllocateResponse r = allocate(settings(list(DeviceListStrategy.ENVVAR), directory()), "GPU-aaa-0");

    assertThat(r.getEnvsMap()).containsEntry("NVIDIA_VISIBLE_DEVICES", "GPU-aaa")
        .containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "3000m");
    assertThat(r.getCdiDevicesList()).isEmpty();
    assertThat(r.getAnnotationsMap()).isEmpty();
    assertThat(devicesOnDisk()).isEmpty();
  }

  @Test
  void cdiCriAloneNamesTheCardAndTheSliceButNoVisibleDevicesAndKeepsTheLibvgpuEnvsAndMounts() throws IOException {
    ContainerAllocateResponse r = allocate(settings(list(DeviceListStrategy.CDI_CRI), directory()), "GPU-aaa-0");

    assertThat(cdiNames(r)).containsExactly(KIND + "=GPU-aaa", SLICE);
    assertThat(r.getEnvsMap()).doesNotContainKey("NVIDIA_VISIBLE_DEVICES")
        .containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "3000m")
        .containsEntry("CUDA_DEVICE_SM_LIMIT", "30")
        .containsEntry("CUDA_DEVICE_MEMORY_SHARED_CACHE", "/tmp/vgpu/uid-p1_main.cache");
    assertThat(r.getMountsList()).extracting(Mount::getContainerPath)
        .containsExactly("/usr/local/vgpu/libvgpu.so", "/etc/ld.so.preload", "/tmp/vgpu", "/tmp/vgpulock",
            "/etc/vgpu/limits");
    assertThat(r.getDevicesList()).isEmpty();
    assertThat(r.getAnnotationsMap()).isEmpty();
    assertThat(devicesOnDisk()).containsAll(cdiNames(r));
    // the slice device carries the enforcement too, so CDI alone keeps it
    CdiSpec slice = directory().read("k8s.device-plugin.nvidia.com-gpu_vgpu-uid-p1_main").orElseThrow();
    assertThat(slice.devices().get(0).containerEdits().env()).contains("CUDA_DEVICE_MEMORY_LIMIT_0=3000m",
        "CUDA_DEVICE_SM_LIMIT=30", "CUDA_DEVICE_MEMORY_SHARED_CACHE=/tmp/vgpu/uid-p1_main.cache");
    assertThat(slice.devices().get(0).containerEdits().mounts()).extracting(m -> m.containerPath())
        .containsExactly("/usr/local/vgpu/libvgpu.so", "/etc/ld.so.preload", "/tmp/vgpu", "/tmp/vgpulock",
            "/etc/vgpu/limits");
  }

  @Test
  void cdiAnnotationsWriteOneCdiK8sIoAnnotationWithTheQualifiedNames() throws IOException {
    ContainerAllocateResponse r = allocate(settings(list(DeviceListStrategy.CDI_ANNOTATIONS), directory()),
        "GPU-aaa-0");

    assertThat(r.getAnnotationsMap()).containsExactly(
        java.util.Map.entry("cdi.k8s.io/volcano-vgpu_uid-p1", KIND + "=GPU-aaa," + SLICE));
    assertThat(r.getCdiDevicesList()).isEmpty();
    assertThat(r.getEnvsMap()).doesNotContainKey("NVIDIA_VISIBLE_DEVICES");
    List<QualifiedName> parsed = CdiAnnotations.standard().parse(r.getAnnotationsMap());
    assertThat(devicesOnDisk()).containsAll(parsed.stream().map(QualifiedName::toString).toList());
  }

  @Test
  void theAnnotationPrefixIsConfigurable() {
    DeviceListSettings custom = new DeviceListSettings(EnumSet.of(DeviceListStrategy.CDI_ANNOTATIONS),
        Kind.NVIDIA_DEVICE_PLUGIN, new CdiAnnotations("cdi.example.com/"), cdiRoot);
    ContainerAllocateResponse r = allocate(settings(custom, directory()), "GPU-aaa-0");
    assertThat(r.getAnnotationsMap()).containsOnlyKeys("cdi.example.com/volcano-vgpu_uid-p1");
  }

  @Test
  void theVendorAndClassAreConfigurable() throws IOException {
    DeviceListSettings custom = new DeviceListSettings(EnumSet.of(DeviceListStrategy.CDI_CRI),
        Kind.parse("vgpu.volcano.sh/gpu"), CdiAnnotations.standard(), cdiRoot);
    ContainerAllocateResponse r = allocate(settings(custom, directory()), "GPU-aaa-0");
    assertThat(cdiNames(r)).containsExactly("vgpu.volcano.sh/gpu=GPU-aaa", "vgpu.volcano.sh/gpu=vgpu-uid-p1_main");
    assertThat(cdiRoot.resolve("vgpu.volcano.sh-gpu.json")).exists();
    assertThat(devicesOnDisk()).containsAll(cdiNames(r));
  }

  @Test
  void volumeMountsListTheDevicesAsDevNullMounts() {
    ContainerAllocateResponse r = allocate(settings(list(DeviceListStrategy.VOLUME_MOUNTS), directory()),
        "GPU-aaa-0");
    assertThat(r.getEnvsMap()).containsEntry("NVIDIA_VISIBLE_DEVICES", "/var/run/nvidia-container-devices");
    assertThat(r.getMountsList()).contains(Mount.newBuilder().setContainerPath(
        "/var/run/nvidia-container-devices/GPU-aaa").setHostPath("/dev/null").build());
    assertThat(r.getCdiDevicesList()).isEmpty();
  }

  @Test
  void envvarCombinedWithCdiCriGivesBoth() throws IOException {
    ContainerAllocateResponse r = allocate(settings(list(DeviceListStrategy.ENVVAR, DeviceListStrategy.CDI_CRI),
        directory()), "GPU-aaa-0");
    assertThat(r.getEnvsMap()).containsEntry("NVIDIA_VISIBLE_DEVICES", "GPU-aaa");
    assertThat(cdiNames(r)).containsExactly(KIND + "=GPU-aaa", SLICE);
  }

  @Test
  void theSpecsAreOnDiskBeforeTheAllocationIsCommittedAndAnswered() throws IOException {
    RecordingCdiWriter recorder = new RecordingCdiWriter();
    CdiSpecDirectory dir = directory();
    List<String> onDiskAtCommit = new ArrayList<>();
    CdiSpecWriter both = new CdiSpecWriter() {
      @Override
      public void write(CdiSpec spec) {
        dir.write(spec);
        recorder.write(spec);
      }

      @Override
      public void writeTransient(CdiSpec spec, String id) {
        dir.writeTransient(spec, id);
        recorder.writeTransient(spec, id);
      }

      @Override
      public boolean remove(Kind kind) {
        return dir.remove(kind) | recorder.remove(kind);
      }

      @Override
      public boolean removeTransient(Kind kind, String id) {
        return dir.removeTransient(kind, id) | recorder.removeTransient(kind, id);
      }

      @Override
      public List<String> transientIds(Kind kind) {
        return dir.transientIds(kind);
      }
    };
    AllocationSettings s = settings(list(DeviceListStrategy.CDI_CRI), both);
    // a card added after start: the pod is assigned GPU-bbb, which the spec written at start does not have
    node.set(new CdiSpecRegistry.Devices(List.of(new NvidiaGpu(0, "GPU-aaa", 0, false),
        new NvidiaGpu(1, "GPU-bbb", 1, false)), List.of()));
    pods.put(pod("p1", "GPU-bbb,NVIDIA,3000,30:").container(gpu("main", 1)).build());
    pods.beforeNextPatch(() -> {
      recorder.mark("pod annotation committed");
      try {
        onDiskAtCommit.addAll(devicesOnDisk());
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });

    ContainerAllocateResponse r = new VgpuAllocationHandler(s, pods).allocate(COUNT, AllocateRequest.newBuilder()
        .addContainerRequests(ContainerAllocateRequest.newBuilder().addDevicesIds("GPU-bbb-0")).build())
        .getContainerResponses(0);
    recorder.mark("response " + cdiNames(r));

    assertThat(recorder.log()).containsExactly(
        "write [GPU-aaa, 0, all]",
        "write [GPU-aaa, 0, GPU-bbb, 1, all]",
        "writeTransient vgpu-uid-p1_main [vgpu-uid-p1_main]",
        "pod annotation committed",
        "response [" + KIND + "=GPU-bbb, " + SLICE + "]");
    assertThat(onDiskAtCommit).containsAll(cdiNames(r));
  }

  @Test
  void aSpecThatCannotBeWrittenFailsTheAllocateAndMarksThePodFailedNamingNothing() {
    CdiSpecWriter failing = new CdiSpecWriter() {
      @Override
      public void write(CdiSpec spec) {}

      @Override
      public void writeTransient(CdiSpec spec, String id) {
        throw new CdiException("cannot write CDI spec /var/run/cdi/x.json: read-only file system");
      }

      @Override
      public boolean remove(Kind kind) {
        return false;
      }

      @Override
      public boolean removeTransient(Kind kind, String id) {
        return false;
      }

      @Override
      public List<String> transientIds(Kind kind) {
        return List.of();
      }
    };
    AllocationSettings s = settings(list(DeviceListStrategy.CDI_CRI), failing);
    pods.lockNode(NODE, "2026-11-28T18:00:00Z");

    assertThatThrownBy(() -> allocate(s, "GPU-aaa-0"))
        .isInstanceOfSatisfying(AllocationException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.INTERNAL);
          assertThat(e.getMessage()).contains("CDI devices for pod ns/p1 not ready").contains("read-only");
        });
    assertThat(pods.get("ns", "p1").annotation(VgpuAnnotations.BIND_PHASE))
        .isEqualTo(VgpuAnnotations.BIND_PHASE_FAILED);
    assertThat(pods.nodeLocked(NODE)).isFalse();
  }

  @Test
  void cdiStrategiesWithoutARegistryAreRejectedAtConfiguration() {
    AllocationSettings base = settings(list(DeviceListStrategy.ENVVAR), directory());
    assertThatThrownBy(() -> base.withDeviceList(list(DeviceListStrategy.CDI_CRI), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("need a CDI spec registry");
  }

  @Test
  void aDriverSpecKindAddsItsDevicesFromTheSpecDirectoryWhenTheyAreThere() throws IOException {
    Files.writeString(cdiRoot.resolve("nvidia.yaml"), """
        ---
        cdiVersion: 0.5.0
        kind: nvidia.com/gpu
        devices:
        - name: GPU-aaa
          containerEdits:
            deviceNodes:
            - path: /dev/nvidia0
        containerEdits:
          mounts:
          - hostPath: /usr/lib/x86_64-linux-gnu/libcuda.so.1
            containerPath: /usr/lib/x86_64-linux-gnu/libcuda.so.1
        """);
    DeviceListSettings list = new DeviceListSettings(EnumSet.of(DeviceListStrategy.CDI_CRI), Kind.NVIDIA_DEVICE_PLUGIN,
        CdiAnnotations.standard(), cdiRoot, java.util.Optional.of(Kind.parse("nvidia.com/gpu")));
    CdiSpecRegistry registry = new CdiSpecRegistry(list.kind(), directory(), node::get, Kind.parse("nvidia.com/gpu"),
        () -> io.github.volcanovgpu.cdi.store.CdiSpecScan.deviceNames(List.of(cdiRoot), Kind.parse("nvidia.com/gpu"),
            new CdiCodec()));
    registry.start();
    AllocationSettings s = new AllocationSettings(ResourceNames.volcanoDefaults(), 1, 1.0, false, "", hook, NODE,
        hook.resolve("vgpu").resolve("containers"), hook.resolve("vgpulock")).withDeviceList(list, registry);

    ContainerAllocateResponse r = allocate(s, "GPU-aaa-0");

    assertThat(cdiNames(r)).containsExactly(KIND + "=GPU-aaa", "nvidia.com/gpu=GPU-aaa", SLICE);
    assertThat(devicesOnDisk()).containsAll(cdiNames(r));
  }
}
