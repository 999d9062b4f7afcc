package io.github.volcanovgpu.mig.profile;

import java.util.List;
import java.util.Optional;

/**
 * Built-in MIG profile tables (reference deviceplugin-cdi-mig.md §3.2-3.3). The A100/H100/H200 parts share the
 * 7-compute / 8-memory-slice geometry of §3.2; memory values are the {@code nvidia-smi mig -lgip} captures where the
 * reference has one, else HAMi's configured value or the slice fraction. H200 placements are assumed equal to the
 * A100's (the reference marks them unverified). A30 (4 compute / 4 memory slices) is not in the reference: its row
 * is NVIDIA's MIG user guide "A30 profiles" table. NVML's own tables, when available, win over all of these
 * ({@link PreferRuntimeProfileSource}).
 */
public final class ProfileCatalogue implements ProfileSource {
  private final List<GpuModel> models;

  public ProfileCatalogue(List<GpuModel> models) {
    this.models = List.copyOf(models);
  }

  /** The five built-in models: A30, A100-40GB, A100-80GB, H100-80GB, H200-141GB. */
  public static ProfileCatalogue builtIn() {
    return new ProfileCatalogue(List.of(a30(), a100x40(), a100x80(), h100x80(), h200()));
  }

  public List<GpuModel> models() {
    return models;
  }

  @Override
  public Optional<GpuModel> model(int gpuIndex, String deviceName, String pciDeviceId) {
    for (GpuModel m : models) {
      if (m.matches(deviceName, pciDeviceId)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /** The built-in model called {@code name} ({@code A100-40GB}...). */
  public Optional<GpuModel> byName(String name) {
    for (GpuModel m : models) {
      if (m.name().equals(name)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  // NVML GPU-instance profile index constants (reference §5.2)
  static final int IDX_1_SLICE = 0x0;
  static final int IDX_2_SLICE = 0x1;
  static final int IDX_3_SLICE = 0x2;
  static final int IDX_4_SLICE = 0x3;
  static final int IDX_7_SLICE = 0x4;
  static final int IDX_1_SLICE_REV1 = 0x7;
  static final int IDX_2_SLICE_REV1 = 0x8;
  static final int IDX_1_SLICE_REV2 = 0x9;

  private static final List<Integer> SEVEN = List.of(0, 1, 2, 3, 4, 5, 6);

  /** The §3.2 geometry with model-specific names and memory (MiB), in table order. */
  private static List<MigProfile> eightSlice(
      String g1, long m1, String g1Double, long m1Double, String g2, long m2, String g3, long m3, String g4,
      long m4, String g7, long m7) {
    return List.of(
        new MigProfile(g1, IDX_1_SLICE, 1, 1, 7, m1, SEVEN),
        new MigProfile(g1 + "+me", IDX_1_SLICE_REV1, 1, 1, 1, m1, SEVEN),
        new MigProfile(g1Double, IDX_1_SLICE_REV2, 1, 2, 4, m1Double, List.of(0, 2, 4, 6)),
        new MigProfile(g2, IDX_2_SLICE, 2, 2, 3, m2, List.of(0, 2, 4)),
        new MigProfile(g3, IDX_3_SLICE, 3, 4, 2, m3, List.of(0, 4)),
        new MigProfile(g4, IDX_4_SLICE, 4, 4, 1, m4, List.of(0)),
        new MigProfile(g7, IDX_7_SLICE, 7, 8, 1, m7, List.of(0)));
  }

  static GpuModel a30() {
    return new GpuModel("A30", List.of("A30"), List.of("0x20B710DE"), 4, 4, List.of(
        new MigProfile("1g.6gb", IDX_1_SLICE, 1, 1, 4, 5952, List.of(0, 1, 2, 3)),
        new MigProfile("1g.6gb+me", IDX_1_SLICE_REV1, 1, 1, 1, 5952, List.of(0, 1, 2, 3)),
        new MigProfile("2g.12gb", IDX_2_SLICE, 2, 2, 2, 11968, List.of(0, 2)),
        new MigProfile("2g.12gb+me", IDX_2_SLICE_REV1, 2, 2, 1, 11968, List.of(0, 2)),
        new MigProfile("4g.24gb", IDX_4_SLICE, 4, 4, 1, 24192, List.of(0))));
  }

  static GpuModel a100x40() {
    return new GpuModel("A100-40GB", List.of("A100-SXM4-40GB", "A100-PCIE-40GB", "A100-40GB"),
        List.of("0x20B010DE", "0x20F110DE"), 8, 7,
        eightSlice("1g.5gb", 4864, "1g.10gb", 9984, "2g.10gb", 9984, "3g.20gb", 20096, "4g.20gb", 20096,
            "7g.40gb", 40448));
  }

  static GpuModel a100x80() {
    return new GpuModel("A100-80GB", List.of("A100-SXM4-80GB", "A100-PCIE-80GB", "A100 80GB PCIE", "A100-80GB"),
        List.of("0x20B210DE", "0x20B510DE"), 8, 7,
        eightSlice("1g.10gb", 9728, "1g.20gb", 19968, "2g.20gb", 19968, "3g.40gb", 40192, "4g.40gb", 40192,
            "7g.80gb", 80896));
  }

  static GpuModel h100x80() {
    return new GpuModel("H100-80GB", List.of("H100-SXM5-80GB", "H100-PCIE-80GB", "H100 80GB", "H100 PCIE", "H100-80GB"),
        List.of("0x233010DE", "0x233110DE"), 8, 7,
        eightSlice("1g.10gb", 9984, "1g.20gb", 20096, "2g.20gb", 20096, "3g.40gb", 40448, "4g.40gb", 40448,
            "7g.80gb", 81152));
  }

  static GpuModel h200() {
    return new GpuModel("H200-141GB", List.of("H200"), List.of("0x233510DE", "0x233B10DE"), 8, 7,
        eightSlice("1g.18gb", 16384, "1g.35gb", 33280, "2g.35gb", 33280, "3g.71gb", 72704, "4g.71gb", 72704,
            "7g.141gb", 143360));
  }
}
