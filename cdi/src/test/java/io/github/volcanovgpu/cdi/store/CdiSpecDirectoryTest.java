package io.github.volcanovgpu.cdi.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.cdi.CdiCodec;
import io.github.volcanovgpu.cdi.CdiDevice;
import io.github.volcanovgpu.cdi.CdiException;
import io.github.volcanovgpu.cdi.CdiSpec;
import io.github.volcanovgpu.cdi.ContainerEdits;
import io.github.volcanovgpu.cdi.DeviceNode;
import io.github.volcanovgpu.cdi.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CdiSpecDirectoryTest {
  private static final Kind KIND = Kind.NVIDIA_DEVICE_PLUGIN;
  private final CdiCodec codec = new CdiCodec();

  @TempDir
  Path root;

  private static CdiSpec spec(String... names) {
    List<CdiDevice> devices = new ArrayList<>();
    for (String n : names) {
      devices.add(new CdiDevice(n, ContainerEdits.of(List.of(), List.of(DeviceNode.of("/dev/" + n)), List.of())));
    }
    return CdiSpec.of(KIND.toString(), devices, ContainerEdits.EMPTY);
  }

  private List<String> files() throws IOException {
    try (Stream<Path> s = Files.list(root)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writesTheConventionalFileNameAndReplacesItWholeSoStaleDevicesDisappear() throws IOException {
    CdiSpecDirectory dir = new CdiSpecDirectory(root.resolve("cdi"), codec, CdiCodec.Format.JSON);
    dir.write(spec("a", "b"));
    dir.write(spec("b", "c"));

    assertThat(dir.root()).isDirectory();
    assertThat(dir.file("k8s.device-plugin.nvidia.com-gpu")).exists();
    assertThat(dir.read("k8s.device-plugin.nvidia.com-gpu")).get().extracting(CdiSpec::deviceNames)
        .isEqualTo(List.of("b", "c"));
    assertThat(Files.list(dir.root()).map(p -> p.getFileName().toString()).toList())
        .containsExactly("k8s.device-plugin.nvidia.com-gpu.json");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.file(KIND.specFileBase()))))
        .isEqualTo("rw-r--r--");
  }

  @Test
  void anInvalidSpecNeverReachesTheDiskAndTheOldFileStays() throws IOException {
    CdiSpecDirectory dir = new CdiSpecDirectory(root, codec, CdiCodec.Format.YAML);
    dir.write(spec("a"));
    String before = Files.readString(dir.file(KIND.specFileBase()));
    CdiSpec duplicate = new CdiSpec("0.3.0", KIND.toString(), null, List.of(spec("a").devices().get(0),
        spec("a").devices().get(0)), null);

    assertThatThrownBy(() -> dir.write(duplicate)).isInstanceOf(CdiException.class)
        .hasMessageContaining("duplicate device name");
    assertThat(Files.readString(dir.file(KIND.specFileBase()))).isEqualTo(before).startsWith("---");
    assertThat(files()).containsExactly("k8s.device-plugin.nvidia.com-gpu.yaml");
  }

  @Test
  void aFailedWriteLeavesNoTemporaryFileAndTheOldSpec() throws IOException {
    CdiSpecDirectory dir = new CdiSpecDirectory(root, codec, CdiCodec.Format.JSON);
    dir.write(spec("a"));
    // the target is a non-empty directory: the rename fails after the temporary file was written
    Path blocker = root.resolve("k8s.device-plugin.nvidia.com-gpu_x.json");
    Files.createDirectories(blocker.resolve("inside"));

    assertThatThrownBy(() -> dir.writeTransient(spec("z"), "x")).isInstanceOf(CdiException.class)
        .hasMessageContaining("cannot write CDI spec " + blocker);
    assertThat(files()).containsExactly("k8s.device-plugin.nvidia.com-gpu.json",
        "k8s.device-plugin.nvidia.com-gpu_x.json");
    assertThat(dir.read(KIND.specFileBase())).get().extracting(CdiSpec::deviceNames).isEqualTo(List.of("a"));
  }

  @Test
  void readersNeverSeeAHalfWrittenSpec() throws Exception {
    CdiSpecDirectory dir = new CdiSpecDirectory(root, codec, CdiCodec.Format.JSON);
    dir.write(spec("a"));
    String[] many = new String[200];
    for (int i = 0; i < many.length; i++) {
      many[i] = "d" + i;
    }
    AtomicBoolean stop = new AtomicBoolean();
    List<String> bad = new ArrayList<>();
    Thread reader = new Thread(() -> {
      while (!stop.get()) {
        try {
          codec.read(Files.readString(dir.file(KIND.specFileBase())), CdiCodec.Format.JSON, "r");
        } catch (IOException | CdiException e) {
          synchronized (bad) {
            bad.add(e.getMessage());
          }
        }
      }
    });
    reader.start();
    for (int i = 0; i < 100; i++) {
      dir.write(i % 2 == 0 ? spec(many) : spec("a"));
    }
    stop.set(true);
    reader.join();
    assertThat(bad).isEmpty();
  }

  @Test
  void transientSpecsAreListedAndStaleOnesRemoved() throws IOException {
    CdiSpecDirectory dir = new CdiSpecDirectory(root, codec, CdiCodec.Format.JSON);
    dir.write(spec("gpu"));
    dir.writeTransient(spec("s1"), "pod-1_main");
    dir.writeTransient(spec("s2"), "pod/2");
    dir.writeTransient(spec("s3"), "pod-3_main");
    Files.writeString(root.resolve("spec.123.tmp"), "half");

    assertThat(dir.transientIds(KIND)).containsExactly("pod-1_main", "pod-3_main", "pod_2");
    assertThat(dir.removeStaleTransients(KIND, Set.of("pod-3_main"))).containsExactly("pod-1_main", "pod_2");
    assertThat(dir.removeTemporaries()).isEqualTo(1);
    assertThat(files()).containsExactly("k8s.device-plugin.nvidia.com-gpu.json",
        "k8s.device-plugin.nvidia.com-gpu_pod-3_main.json");
    assertThat(dir.removeTransient(KIND, "pod-3_main")).isTrue();
    assertThat(dir.removeTransient(KIND, "pod-3_main")).isFalse();
  }
}
