package io.github.volcanovgpu.cdi.nvidia;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.cdi.CdiCodec;
import io.github.volcanovgpu.cdi.CdiDevice;
import io.github.volcanovgpu.cdi.CdiException;
import io.github.volcanovgpu.cdi.CdiMount;
import io.github.volcanovgpu.cdi.CdiSpec;
import io.github.volcanovgpu.cdi.DeviceNode;
import io.github.volcanovgpu.cdi.Kind;
import io.github.volcanovgpu.cdi.SchemaValidation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Generated specs against golden files (test resources {@code golden/}) and the upstream JSON schema. Regenerate the
 * golden files with {@code -Dcdi.golden.update=true} and review the diff.
 */
class NvidiaCdiGeneratorTest {
  private static final Kind KIND = Kind.NVIDIA_DEVICE_PLUGIN;
  private static final CdiCodec CODEC = new CdiCodec();
  static final String MIG_MINORS = """
      config 1
      monitor 2
      gpu0/gi0/access 3
      gpu0/gi0/ci0/access 4
      gpu1/gi1/access 12
      gpu1/gi1/ci0/access 13
      gpu1/gi2/access 21
      gpu1/gi2/ci0/access 22
      """;

  private static final List<NvidiaGpu> GPUS = List.of(
      new NvidiaGpu(0, "GPU-03f69c50-207a-2038-9b45-23cac89cb67d", 0, false),
      new NvidiaGpu(1, "GPU-7e1b9d4a-52c3-4f47-a9cf-58b26c5e1e7f", 1, false));

  static void assertGolden(String name, CdiSpec spec) throws IOException {
    String json = CODEC.write(spec, CdiCodec.Format.JSON);
    assertThat(SchemaValidation.violations(json)).as("schema violations of " + name).isEmpty();
    assertThat(CODEC.read(json, CdiCodec.Format.JSON, name)).isEqualTo(spec);
    String yaml = CODEC.write(spec, CdiCodec.Format.YAML);
    assertThat(yaml).startsWith("---");
    assertThat(CODEC.read(yaml, CdiCodec.Format.YAML, name)).isEqualTo(spec);
    Path file = Path.of("src/test/resources/golden", name);
    if (Boolean.getBoolean("cdi.golden.update")) {
      Files.writeString(file, json);
    }
    try (InputStream in = NvidiaCdiGeneratorTest.class.getClassLoader().getResourceAsStream("golden/" + name)) {
      assertThat(in).as("golden file " + name + " (run with -Dcdi.golden.update=true)").isNotNull();
      assertThat(json).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void fullGpusByUuidAndIndexWithAllMatchTheGolden() throws IOException {
    CdiSpec spec = NvidiaCdiGenerator.gpus(NvidiaCdiGenerator.Options.defaults(KIND), GPUS, List.of());

    assertThat(spec.deviceNames()).containsExactly(GPUS.get(0).uuid(), "0", GPUS.get(1).uuid(), "1", "all");
    assertThat(spec.cdiVersion()).as("names starting with a digit need 0.5.0").isEqualTo("0.5.0");
    assertThat(spec.device("all").containerEdits().deviceNodes()).extracting(DeviceNode::path)
        .containsExactly("/dev/nvidia0", "/dev/nvidia1");
    assertGolden("gpus.json", spec);
  }

  @Test
  void migDevicesCarryTheParentNodeAndTheGiAndCiCapabilityNodes() throws IOException {
    MigMinors minors = MigMinors.parse(MIG_MINORS);
    List<NvidiaGpu> gpus = List.of(GPUS.get(0), new NvidiaGpu(1, GPUS.get(1).uuid(), 1, true));
    List<MigDevice> migs = List.of(
        MigDevice.resolve("MIG-4c3d1f0a-94b2-5d7e-8f61-0a1b2c3d4e5f", 1, 1, 0, 1, 0, minors),
        MigDevice.resolve("MIG-9a8b7c6d-5e4f-5a3b-9c2d-1e0f9a8b7c6d", 1, 1, 1, 2, 0, minors));

    CdiSpec spec = NvidiaCdiGenerator.gpus(NvidiaCdiGenerator.Options.defaults(KIND), gpus, migs);

    assertThat(spec.deviceNames()).as("the MIG-enabled card itself is not a device").containsExactly(
        GPUS.get(0).uuid(), "0", migs.get(0).uuid(), "1:0", migs.get(1).uuid(), "1:1", "all");
    assertThat(spec.device("1:1").containerEdits().deviceNodes()).extracting(DeviceNode::path)
        .containsExactly("/dev/nvidia1", "/dev/nvidia-caps/nvidia-cap21", "/dev/nvidia-caps/nvidia-cap22");
    assertThat(spec.device(migs.get(0).uuid()).containerEdits().deviceNodes()).extracting(DeviceNode::path)
        .containsExactly("/dev/nvidia1", "/dev/nvidia-caps/nvidia-cap12", "/dev/nvidia-caps/nvidia-cap13");
    assertThat(spec.device("all").containerEdits().deviceNodes()).extracting(DeviceNode::path).containsExactly(
        "/dev/nvidia0", "/dev/nvidia1", "/dev/nvidia-caps/nvidia-cap12", "/dev/nvidia-caps/nvidia-cap13",
        "/dev/nvidia-caps/nvidia-cap21", "/dev/nvidia-caps/nvidia-cap22");
    assertGolden("mig.json", spec);
  }

  @Test
  void vgpuSlicesCarryTheLibvgpuEnvironmentAndMounts() throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("CUDA_DEVICE_MEMORY_LIMIT_0", "3000m");
    env.put("CUDA_DEVICE_SM_LIMIT", "30");
    env.put("CUDA_DEVICE_MEMORY_SHARED_CACHE", "/tmp/vgpu/6b1c_main.cache");
    List<CdiMount> mounts = List.of(
        CdiMount.bind("/usr/local/vgpu/libvgpu.so", "/usr/local/vgpu/libvgpu.so", true),
        CdiMount.bind("/usr/local/vgpu/ld.so.preload", "/etc/ld.so.preload", true),
        CdiMount.bind("/usr/local/vgpu/vgpu/containers/6b1c_main", "/tmp/vgpu", false),
        CdiMount.bind("/tmp/vgpulock", "/tmp/vgpulock", false));

    CdiSpec spec = NvidiaCdiGenerator.slices(KIND, List.of(new VgpuSlice("vgpu-6b1c_main", env, mounts)));

    CdiDevice slice = spec.device("vgpu-6b1c_main");
    assertThat(slice.containerEdits().env()).containsExactly("CUDA_DEVICE_MEMORY_LIMIT_0=3000m",
        "CUDA_DEVICE_SM_LIMIT=30", "CUDA_DEVICE_MEMORY_SHARED_CACHE=/tmp/vgpu/6b1c_main.cache");
    assertThat(slice.containerEdits().mounts()).hasSize(4);
    assertThat(spec.cdiVersion()).isEqualTo("0.3.0");
    assertGolden("vgpu-slices.json", spec);
  }

  @Test
  void indexOnlyNamingWithADevRootGivesHostPathsAndNeedsVersion050() {
    var options = new NvidiaCdiGenerator.Options(KIND, EnumSet.of(NvidiaCdiGenerator.Naming.UUID), false,
        "/driver-root", NvidiaCdiGenerator.CONTROL_NODES);

    CdiSpec spec = NvidiaCdiGenerator.gpus(options, GPUS, List.of());

    assertThat(spec.deviceNames()).containsExactly(GPUS.get(0).uuid(), GPUS.get(1).uuid());
    assertThat(spec.devices().get(0).containerEdits().deviceNodes()).containsExactly(
        DeviceNode.of("/dev/nvidia0", "/driver-root/dev/nvidia0"));
    assertThat(spec.cdiVersion()).isEqualTo("0.5.0");
    assertThat(SchemaValidation.violations(CODEC.write(spec, CdiCodec.Format.JSON))).isEmpty();
  }

  @Test
  void anInventoryWithNoDeviceIsAClearError() {
    assertThatThrownBy(() -> CODEC.write(
        NvidiaCdiGenerator.gpus(NvidiaCdiGenerator.Options.defaults(KIND), List.of(), List.of()),
        CdiCodec.Format.JSON)).isInstanceOf(CdiException.class).hasMessageContaining("no devices");
  }

  @Test
  void migMinorsNameTheMissingCapabilityOrTheBadLine() {
    MigMinors minors = MigMinors.parse(MIG_MINORS);
    assertThat(minors.ciAccess(1, 2, 0)).isEqualTo(22);
    assertThatThrownBy(() -> minors.giAccess(1, 7)).isInstanceOf(CdiException.class)
        .hasMessageContaining("gpu1/gi7/access");
    assertThatThrownBy(() -> MigMinors.parse("gpu0/gi0/access 3\ngpu0/gi0/ci0/access x\n"))
        .isInstanceOf(CdiException.class).hasMessageContaining("line 2");
  }

  @Test
  void badSliceNamesAreRejected() {
    assertThatThrownBy(() -> new VgpuSlice("-bad", Map.of("A", "1"), List.of()))
        .isInstanceOf(CdiException.class).hasMessageContaining("should start with a letter or digit");
    assertThatThrownBy(() -> new VgpuSlice("ok", Map.of(), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty CDI edits");
  }
}
