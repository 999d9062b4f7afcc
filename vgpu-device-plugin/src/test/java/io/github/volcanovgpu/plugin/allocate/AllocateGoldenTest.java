package io.github.volcanovgpu.plugin.allocate;

import static io.github.volcanovgpu.plugin.allocate.TestPods.gpu;
import static io.github.volcanovgpu.plugin.allocate.TestPods.pod;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.TextFormat;
import io.github.volcanovgpu.cdi.CdiAnnotations;
import io.github.volcanovgpu.cdi.CdiCodec;
import io.github.volcanovgpu.cdi.Kind;
import io.github.volcanovgpu.cdi.nvidia.NvidiaGpu;
import io.github.volcanovgpu.cdi.store.CdiSpecDirectory;
import io.github.volcanovgpu.contract.device.ResourceNames;
import io.github.volcanovgpu.plugin.cdi.CdiSpecRegistry;
import io.github.volcanovgpu.plugin.cdi.DeviceListSettings;
import io.github.volcanovgpu.plugin.cdi.DeviceListStrategy;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The NVIDIA vGPU Allocate answer, whole, per device-list mode: a two-card container of a pod the scheduler
 * annotated, as protobuf text against the goldens in {@code golden/allocate/} (the temporary host directories shown
 * as {@code <hook>} and {@code <cdi>}). Regenerate with {@code -Dallocate.golden.update=true} and review the diff.
 */
class AllocateGoldenTest {
  private static final String COUNT = "volcano.sh/vgpu-number";

  @TempDir
  Path hook;
  @TempDir
  Path cdiRoot;

  private final FakePodSource pods = new FakePodSource();

  @ParameterizedTest
  @EnumSource(DeviceListStrategy.class)
  void eachDeviceListModeGivesItsGoldenAnswer(DeviceListStrategy mode) throws IOException {
    assertGolden(mode.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + ".txtpb", allocate(mode));
  }

  @Test
  void theLimitsFileMountedForLibvgpuIsPinnedToo() throws IOException {
    allocate(DeviceListStrategy.ENVVAR);
    Path written = hook.resolve("vgpu").resolve("limits").resolve("uid-p1_main").resolve("limits");
    assertGolden("limits-cuda.txt",
        Files.readString(written, StandardCharsets.UTF_8).replace(hook.toString(), "<hook>"));
  }

  @Test
  void envvarIsTheDefault() {
    assertThat(DeviceListSettings.envvar().strategies()).containsExactly(DeviceListStrategy.ENVVAR);
  }

  private AllocateResponse allocate(DeviceListStrategy mode) {
    DeviceListSettings list = new DeviceListSettings(EnumSet.of(mode), Kind.NVIDIA_DEVICE_PLUGIN,
        CdiAnnotations.standard(), cdiRoot);
    AllocationSettings base = new AllocationSettings(ResourceNames.volcanoDefaults(), 1, 1.0, false, "", hook,
        TestPods.NODE, hook.resolve("vgpu").resolve("containers"), hook.resolve("vgpulock"));
    AllocationSettings settings;
    if (list.anyCdi()) {
      CdiSpecRegistry registry = new CdiSpecRegistry(list.kind(), new CdiSpecDirectory(cdiRoot, new CdiCodec(),
          CdiCodec.Format.JSON),
          () -> new CdiSpecRegistry.Devices(List.of(new NvidiaGpu(0, "GPU-aaa", 0, false),
              new NvidiaGpu(1, "GPU-bbb", 1, false)), List.of()));
      registry.start();
      settings = base.withDeviceList(list, registry);
    } else {
      settings = base.withDeviceList(list, null);
    }
    pods.put(pod("p1", "GPU-aaa,NVIDIA,3000,30:GPU-bbb,NVIDIA,3000,30:").container(gpu("main", 2)).build());
    return new VgpuAllocationHandler(settings, pods).allocate(COUNT, AllocateRequest.newBuilder()
        .addContainerRequests(ContainerAllocateRequest.newBuilder().addAllDevicesIds(List.of("GPU-aaa-0",
            "GPU-bbb-0")))
        .build());
  }

  private void assertGolden(String name, AllocateResponse response) throws IOException {
    assertGolden(name, TextFormat.printer().printToString(response)
        .replace(hook.toString(), "<hook>").replace(cdiRoot.toString(), "<cdi>"));
  }

  private void assertGolden(String name, String text) throws IOException {
    if (Boolean.getBoolean("allocate.golden.update")) {
      Files.writeString(Path.of("src/test/resources/golden/allocate", name), text);
      return;
    }
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("golden/allocate/" + name)) {
      assertThat(in).as("golden %s (run with -Dallocate.golden.update=true)", name).isNotNull();
      assertThat(text).as("Allocate answer in mode %s", name)
          .isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
