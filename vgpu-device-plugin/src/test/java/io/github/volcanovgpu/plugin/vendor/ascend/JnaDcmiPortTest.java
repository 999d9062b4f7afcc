package io.github.volcanovgpu.plugin.vendor.ascend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.plugin.device.DiscoveryException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JnaDcmiPortTest {
  @TempDir
  Path root;

  @Test
  void withoutLibdcmiStartupFailsNamingTheLibraryWhereItLookedAndTheFakeFlag() {
    Assumptions.assumeFalse(Files.exists(Path.of("/usr/local/Ascend")), "an Ascend driver is installed here");

    assertThatThrownBy(() -> JnaDcmiPort.open(root, "", "n1"))
        .isInstanceOf(DiscoveryException.class)
        .hasMessageContaining("cannot load libdcmi.so")
        .hasMessageContaining(root.resolve("usr/local/Ascend/driver/lib64/driver/libdcmi.so").toString())
        .hasMessageContaining("--fake-npus 910B3x8|910Cx16|310P3x4|FILE");
    assertThatThrownBy(() -> JnaDcmiPort.open(root, root.resolve("libdcmi.so").toString(), "n1"))
        .isInstanceOf(DiscoveryException.class).hasMessageContaining(root.resolve("libdcmi.so").toString());
  }

  /**
   * The JNA bindings against a stand-in {@code libdcmi.so} built from {@code src/test/c/stub_dcmi.c} with the
   * structs of DCMI's header: discovery order, ids, chip names, HBM vs DDR memory, health words.
   */
  @Test
  void discoversNpusThroughTheDcmiCallsOfAStandInLibrary() throws Exception {
    Path library = root.resolve("libdcmi.so");
    Path source = Path.of("src/test/c/stub_dcmi.c").toAbsolutePath();
    Process cc;
    try {
      cc = new ProcessBuilder("cc", "-shared", "-fPIC", "-O1", "-o", library.toString(), source.toString())
          .redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      Assumptions.abort("no C compiler (cc) to build the stand-in libdcmi.so: " + e.getMessage());
      return;
    }
    String out = new String(cc.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(cc.waitFor()).as(out).isZero();

    try (JnaDcmiPort port = JnaDcmiPort.open(root, library.toString(), "n1")) {
      java.util.List<Npu> npus = port.npus();

      assertThat(npus).extracting(Npu::uuid, Npu::phyId, Npu::logicId, Npu::cardId, Npu::deviceId, Npu::chipName,
          Npu::memoryMib, Npu::aiCore).containsExactly(
              org.assertj.core.groups.Tuple.tuple("0A0B0C00-0A0B0C01-0A0B0C02-0A0B0C03-0A0B0C04", 4, 0, 3, 0,
                  "Ascend910", 65536L, 24),
              org.assertj.core.groups.Tuple.tuple("0A0B0C10-0A0B0C11-0A0B0C12-0A0B0C13-0A0B0C14", 5, 1, 3, 1,
                  "Ascend910", 65536L, 24),
              org.assertj.core.groups.Tuple.tuple("n1-npu-6", 6, 2, 7, 0, "310P3", 24576L, 8));
      assertThat(npus).extracting(port::health).containsExactly(0, 2, 0);
    }
  }

  @Test
  void dieIdsArePrintedAsMindClustersWrapperPrintsThem() {
    assertThat(JnaDcmiPort.dieId(new int[] {0x0a0b0c0d, 1, 0xfe, 0xffffffff, 0}))
        .isEqualTo("0A0B0C0D-00000001-000000FE-FFFFFFFF-00000000");
  }
}
