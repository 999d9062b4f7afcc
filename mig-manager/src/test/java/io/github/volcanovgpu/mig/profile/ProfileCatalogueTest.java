package io.github.volcanovgpu.mig.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProfileCatalogueTest {
  private final ProfileCatalogue catalogue = ProfileCatalogue.builtIn();

  @Test
  void knowsTheFiveModelsByNvmlNameOrPciId() {
    assertThat(catalogue.model(0, "NVIDIA A100-SXM4-40GB", "").orElseThrow().name()).isEqualTo("A100-40GB");
    assertThat(catalogue.model(0, "NVIDIA A100-PCIE-40GB", "").orElseThrow().name()).isEqualTo("A100-40GB");
    assertThat(catalogue.model(0, "NVIDIA A100-SXM4-80GB", "").orElseThrow().name()).isEqualTo("A100-80GB");
    assertThat(catalogue.model(0, "NVIDIA H100 80GB HBM3", "0x233010DE").orElseThrow().name())
        .isEqualTo("H100-80GB");
    assertThat(catalogue.model(0, "NVIDIA H200", "").orElseThrow().name()).isEqualTo("H200-141GB");
    assertThat(catalogue.model(0, "NVIDIA H200 NVL", "").orElseThrow().name()).isEqualTo("H200-141GB");
    assertThat(catalogue.model(0, "NVIDIA A100 80GB PCIe", "").orElseThrow().name()).isEqualTo("A100-80GB");
    assertThat(catalogue.model(0, "NVIDIA H100 PCIe", "").orElseThrow().name()).isEqualTo("H100-80GB");
    assertThat(catalogue.model(0, "NVIDIA H100 NVL", "")).as("94 GB part, not in the catalogue").isEmpty();
    assertThat(catalogue.model(0, "NVIDIA A30", "").orElseThrow().name()).isEqualTo("A30");
    assertThat(catalogue.model(0, "Tesla T4", "0x1EB810DE")).isEmpty();
  }

  @Test
  void a100x40MatchesTheReferenceTable() {
    GpuModel m = catalogue.byName("A100-40GB").orElseThrow();
    assertThat(m.profileNames())
        .containsExactly("1g.5gb", "1g.5gb+me", "1g.10gb", "2g.10gb", "3g.20gb", "4g.20gb", "7g.40gb");
    MigProfile g3 = m.profile("3g.20gb").orElseThrow();
    assertThat(g3.computeSlices()).isEqualTo(3);
    assertThat(g3.memorySlices()).isEqualTo(4);
    assertThat(g3.maxInstances()).isEqualTo(2);
    assertThat(g3.starts()).containsExactly(0, 4);
    assertThat(m.profile("1g.10gb").orElseThrow().starts()).containsExactly(0, 2, 4, 6);
    assertThat(m.profile("7g.40gb").orElseThrow().memorySlices()).isEqualTo(8);
    assertThat(m.profile("1g.5gb").orElseThrow().memoryMib()).isEqualTo(4864);
  }

  @Test
  void namesScaleWithMemoryOnTheBiggerParts() {
    assertThat(catalogue.byName("A100-80GB").orElseThrow().profileNames())
        .containsExactly("1g.10gb", "1g.10gb+me", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb");
    assertThat(catalogue.byName("H200-141GB").orElseThrow().profileNames())
        .containsExactly("1g.18gb", "1g.18gb+me", "1g.35gb", "2g.35gb", "3g.71gb", "4g.71gb", "7g.141gb");
    assertThat(catalogue.byName("A30").orElseThrow().profile("4g.24gb").orElseThrow().starts()).containsExactly(0);
  }

  @Test
  void runtimeProfilesWinOverTheCatalogue() {
    GpuModel fromNvml = new GpuModel("A100-40GB", List.of("A100"), List.of(), 8, 7,
        List.of(new MigProfile("1g.5gb", 0, 1, 1, 7, 4800, List.of(0, 1, 2, 3, 4, 5, 6))));
    ProfileSource runtime = (i, n, p) -> Optional.of(fromNvml);
    ProfileSource none = (i, n, p) -> Optional.empty();
    assertThat(new PreferRuntimeProfileSource(runtime, catalogue).model(0, "NVIDIA A100-SXM4-40GB", ""))
        .contains(fromNvml);
    assertThat(new PreferRuntimeProfileSource(none, catalogue).model(0, "NVIDIA A100-SXM4-40GB", "")
        .orElseThrow().profiles()).hasSize(7);
  }
}
