package io.github.volcanovgpu.plugin.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.cdi.CdiException;
import io.github.volcanovgpu.cdi.CdiMount;
import io.github.volcanovgpu.cdi.DeviceNode;
import io.github.volcanovgpu.cdi.Kind;
import io.github.volcanovgpu.cdi.QualifiedName;
import io.github.volcanovgpu.cdi.nvidia.MigDevice;
import io.github.volcanovgpu.cdi.nvidia.NvidiaGpu;
import io.github.volcanovgpu.cdi.nvidia.VgpuSlice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CdiSpecRegistryTest {
  private static final Kind KIND = Kind.NVIDIA_DEVICE_PLUGIN;
  private static final NvidiaGpu GPU0 = new NvidiaGpu(0, "GPU-aaa", 0, false);
  private static final NvidiaGpu GPU1 = new NvidiaGpu(1, "GPU-bbb", 1, false);

  private final RecordingCdiWriter writer = new RecordingCdiWriter();
  private final AtomicReference<CdiSpecRegistry.Devices> node =
      new AtomicReference<>(new CdiSpecRegistry.Devices(List.of(GPU0), List.of()));
  private final List<String> inventoryReads = new ArrayList<>();
  private final CdiSpecRegistry registry = new CdiSpecRegistry(KIND, writer, () -> {
    inventoryReads.add("read");
    return node.get();
  });

  private static VgpuSlice slice(String name) {
    return new VgpuSlice(name, Map.of("CUDA_DEVICE_SM_LIMIT", "30"),
        List.of(CdiMount.bind("/tmp/vgpulock", "/tmp/vgpulock", false)));
  }

  @Test
  void startWritesTheMainSpecWithEveryDeviceByUuidIndexAndAll() {
    registry.start();
    assertThat(writer.log()).containsExactly("write [GPU-aaa, 0, all]");
    assertThat(registry.deviceNames()).containsExactly("GPU-aaa", "0", "all");
  }

  /**
   * Regression: the registry always generated with {@code /} as the dev root, so on a node whose device nodes live
   * under another host directory (a driver container's root, or a test's fake tree) the runtime was told to stat
   * {@code /dev/nvidia0} on the host, which does not exist there, and refused to create the container.
   */
  @Test
  void aDevRootOtherThanTheHostsGivesEveryDeviceNodeItsHostPathUnderIt() {
    CdiSpecRegistry rooted = new CdiSpecRegistry(KIND, writer, node::get, null, Set::of, "/run/nvidia/driver");
    rooted.start();
    var spec = writer.mainSpec().orElseThrow();
    var nodes = new ArrayList<DeviceNode>(spec.containerEdits().deviceNodes());
    spec.devices().forEach(d -> nodes.addAll(d.containerEdits().deviceNodes()));
    assertThat(nodes).isNotEmpty().allSatisfy(n -> assertThat(n.hostPath()).isEqualTo("/run/nvidia/driver" + n.path()));
    assertThat(nodes).extracting(DeviceNode::path).contains("/dev/nvidia0", "/dev/nvidiactl");

    registry.start(); // the default: the host's own /dev, no host path written
    assertThat(writer.mainSpec().orElseThrow().devices().get(0).containerEdits().deviceNodes())
        .allSatisfy(n -> assertThat(n.hostPath()).isNull());
  }

  @Test
  void knownDevicesAreNamedWithoutRewritingTheMainSpecAndTheSliceGetsItsOwnFile() {
    registry.start();
    List<QualifiedName> names = registry.ensure(List.of("GPU-aaa"), slice("vgpu-uid_main"));

    assertThat(names).extracting(QualifiedName::toString).containsExactly(
        "k8s.device-plugin.nvidia.com/gpu=GPU-aaa", "k8s.device-plugin.nvidia.com/gpu=vgpu-uid_main");
    assertThat(writer.log()).containsExactly("write [GPU-aaa, 0, all]", "writeTransient vgpu-uid_main [vgpu-uid_main]");
    assertThat(inventoryReads).hasSize(1);
  }

  @Test
  void aCardAddedAfterStartIsWrittenBeforeEnsureReturns() {
    registry.start();
    node.set(new CdiSpecRegistry.Devices(List.of(GPU0, GPU1), List.of()));

    registry.ensure(List.of("GPU-bbb"), null);
    writer.mark("ensure returned");

    assertThat(writer.log()).containsExactly("write [GPU-aaa, 0, all]", "write [GPU-aaa, 0, GPU-bbb, 1, all]",
        "ensure returned");
  }

  @Test
  void aMigInstanceCreatedAfterStartIsInTheSpecWithItsCapabilityNodesBeforeEnsureReturns() {
    registry.start();
    MigDevice mig = new MigDevice("MIG-ccc", 1, 1, 0, 1, 0, 12, 13);
    node.set(new CdiSpecRegistry.Devices(List.of(GPU0, new NvidiaGpu(1, "GPU-bbb", 1, true)), List.of(mig)));

    List<QualifiedName> names = registry.ensure(List.of("MIG-ccc"), null);
    writer.mark("ensure returned");

    assertThat(names).extracting(QualifiedName::name).containsExactly("MIG-ccc");
    assertThat(writer.log()).containsExactly("write [GPU-aaa, 0, all]", "write [GPU-aaa, 0, MIG-ccc, 1:0, all]",
        "ensure returned");
    assertThat(writer.devices()).contains("MIG-ccc", "1:0");
  }

  @Test
  void aDeviceThatIsNotOnTheNodeIsAnErrorAndNothingIsNamed() {
    registry.start();
    assertThatThrownBy(() -> registry.ensure(List.of("GPU-gone"), slice("vgpu-x_main")))
        .isInstanceOf(CdiException.class)
        .hasMessageContaining("[GPU-gone] are not on this node")
        .hasMessageContaining("cannot resolve");
    assertThat(writer.log()).as("re-read once, no slice written").containsExactly("write [GPU-aaa, 0, all]",
        "write [GPU-aaa, 0, all]");
  }

  @Test
  void aFailingInventoryIsAClearCdiError() {
    CdiSpecRegistry broken = new CdiSpecRegistry(KIND, writer, () -> {
      throw new IllegalStateException("NVML gone");
    });
    assertThatThrownBy(broken::start).isInstanceOf(CdiException.class).hasMessageContaining("NVML gone");
  }

  @Test
  void aNodeWithoutDevicesHasNoMainSpec() {
    node.set(new CdiSpecRegistry.Devices(List.of(), List.of()));
    registry.start();
    assertThat(writer.log()).containsExactly("remove k8s.device-plugin.nvidia.com/gpu");
    assertThat(registry.deviceNames()).isEmpty();
  }

  @Test
  void forgettingASliceRemovesItsFile() {
    registry.start();
    registry.ensure(List.of("GPU-aaa"), slice("vgpu-uid_main"));
    assertThat(registry.forgetSlice("vgpu-uid_main")).isTrue();
    assertThat(writer.devices()).doesNotContain("vgpu-uid_main");
  }

  @Test
  void withADriverKindTheDriverSpecsDevicesAreNamedTooOnlyWhenPresent() {
    java.util.Set<String> driverDevices = new java.util.HashSet<>(java.util.Set.of("GPU-aaa"));
    CdiSpecRegistry withDriver = new CdiSpecRegistry(KIND, writer, node::get, Kind.parse("nvidia.com/gpu"),
        () -> driverDevices);
    withDriver.start();

    assertThat(withDriver.ensure(List.of("GPU-aaa"), slice("vgpu-u_c"))).extracting(QualifiedName::toString)
        .containsExactly("k8s.device-plugin.nvidia.com/gpu=GPU-aaa", "nvidia.com/gpu=GPU-aaa",
            "k8s.device-plugin.nvidia.com/gpu=vgpu-u_c");
    driverDevices.clear();
    assertThatThrownBy(() -> withDriver.ensure(List.of("GPU-aaa"), null)).isInstanceOf(CdiException.class)
        .hasMessageContaining("[GPU-aaa] are not in the driver CDI spec nvidia.com/gpu")
        .hasMessageContaining("nvidia-ctk cdi generate");
  }
}
