package io.github.volcanovgpu.mig.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.mig.gpu.FakeMigGpus;
import io.github.volcanovgpu.mig.layout.MigConfigCodec;
import io.github.volcanovgpu.mig.layout.MigConfigSpec;
import io.github.volcanovgpu.mig.profile.ProfileCatalogue;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MigReconcilerTest {
  private final ProfileCatalogue catalogue = ProfileCatalogue.builtIn();
  private final FakeMigGpus gpus = new FakeMigGpus();
  private final MigReconciler reconciler = new MigReconciler(gpus, catalogue);
  private final int gpu0 = gpus.addGpu(catalogue.byName("A100-40GB").orElseThrow(), "GPU-a");
  private final int gpu1 = gpus.addGpu(catalogue.byName("H100-80GB").orElseThrow(), "GPU-b");

  @Test
  void appliesALayoutAndIsIdempotent() {
    Map<String, Integer> layout = Map.of("1g.5gb", 2, "2g.10gb", 1, "3g.20gb", 1);
    ApplyOutcome first = reconciler.apply(gpu0, true, layout);
    assertThat(first.changed()).isTrue();
    assertThat(reconciler.currentLayout(gpu0)).isEqualTo(layout);
    assertThat(gpus.migDevices(gpu0)).hasSize(4);
    List<String> uuids = gpus.migDevices(gpu0).stream().map(d -> d.uuid()).toList();

    ApplyOutcome second = reconciler.apply(gpu0, true, layout);
    assertThat(second.changed()).isFalse();
    assertThat(gpus.migDevices(gpu0)).extracting(d -> d.uuid()).containsExactlyElementsOf(uuids);
  }

  @Test
  void injectedFailureRollsBackToACleanGpu() {
    reconciler.apply(gpu0, true, Map.of("7g.40gb", 1));
    gpus.failAfter(FakeMigGpus.Op.CREATE_GI, 2);
    assertThatThrownBy(() -> reconciler.apply(gpu0, true, Map.of("1g.5gb", 7)))
        .isInstanceOf(MigApplyException.class)
        .hasMessageContaining("GPU 0: applying {1g.5gb=7} failed")
        .hasMessageContaining("injected failure of CREATE_GI")
        .hasMessageEndingWith("rolled back to a GPU without MIG instances");
    assertThat(gpus.gpuInstances(gpu0)).isEmpty();
    assertThat(gpus.migMode(gpu0).current()).isTrue();
  }

  @Test
  void failedComputeInstanceAlsoRollsBack() {
    gpus.failAfter(FakeMigGpus.Op.CREATE_CI, 1);
    assertThatThrownBy(() -> reconciler.apply(gpu0, true, Map.of("3g.20gb", 2)))
        .isInstanceOf(MigApplyException.class);
    assertThat(gpus.gpuInstances(gpu0)).isEmpty();
  }

  @Test
  void refusesToReconfigureAGpuWithRunningClients() {
    reconciler.apply(gpu0, true, Map.of("3g.20gb", 2));
    gpus.setRunningClients(gpu0, true);
    assertThatThrownBy(() -> reconciler.apply(gpu0, true, Map.of("1g.5gb", 7)))
        .isInstanceOfSatisfying(MigApplyException.class, e -> assertThat(e.busy()).isTrue())
        .hasMessageContaining("has running processes");
    assertThat(reconciler.currentLayout(gpu0)).isEqualTo(Map.of("3g.20gb", 2));
    // asserting the same layout on a busy GPU is fine: nothing to change
    assertThat(reconciler.apply(gpu0, true, Map.of("3g.20gb", 2)).changed()).isFalse();
  }

  @Test
  void impossibleLayoutIsRejectedBeforeTouchingTheGpu() {
    reconciler.apply(gpu0, true, Map.of("3g.20gb", 2));
    assertThatThrownBy(() -> reconciler.apply(gpu0, true, Map.of("1g.5gb", 8)))
        .hasMessage("GPU 0: A100-40GB holds at most 7 x 1g.5gb, 8 requested");
    assertThat(reconciler.currentLayout(gpu0)).isEqualTo(Map.of("3g.20gb", 2));
  }

  @Test
  void aHalfDoneLayoutWithoutComputeInstancesIsRebuilt() {
    gpus.setMigMode(gpu0, true);
    var p = catalogue.byName("A100-40GB").orElseThrow().profile("3g.20gb").orElseThrow();
    gpus.createGpuInstance(gpu0, p, 0);
    gpus.createGpuInstance(gpu0, p, 4);
    assertThat(reconciler.matches(gpu0, true, Map.of("3g.20gb", 2))).isFalse();
    assertThat(reconciler.apply(gpu0, true, Map.of("3g.20gb", 2)).changed()).isTrue();
    assertThat(gpus.migDevices(gpu0)).hasSize(2);
  }

  @Test
  void disablingClearsInstancesAndMigMode() {
    reconciler.apply(gpu0, true, Map.of("3g.20gb", 2));
    assertThat(reconciler.apply(gpu0, false, Map.of()).changed()).isTrue();
    assertThat(gpus.gpuInstances(gpu0)).isEmpty();
    assertThat(gpus.migMode(gpu0).current()).isFalse();
  }

  @Test
  void configAppliesPerDeviceFilterAndChecksEveryGpuFirst() {
    MigConfigSpec spec = new MigConfigCodec().parse("""
        version: v1
        mig-configs:
          all-balanced:
            - device-filter: "0x20B010DE"
              devices: all
              mig-enabled: true
              mig-devices: {"1g.5gb": 2, "2g.10gb": 1, "3g.20gb": 1}
            - device-filter: "0x233010DE"
              devices: all
              mig-enabled: true
              mig-devices: {"1g.10gb": 2, "2g.20gb": 1, "3g.40gb": 1}
        """);
    gpus.setRunningClients(gpu1, true);
    assertThatThrownBy(() -> reconciler.apply(spec, "all-balanced"))
        .hasMessageContaining("GPU 1 has running processes");
    assertThat(gpus.gpuInstances(gpu0)).isEmpty();

    gpus.setRunningClients(gpu1, false);
    assertThat(reconciler.apply(spec, "all-balanced")).allMatch(ApplyOutcome::changed).hasSize(2);
    assertThat(reconciler.currentLayout(gpu1)).isEqualTo(Map.of("1g.10gb", 2, "2g.20gb", 1, "3g.40gb", 1));
    assertThat(reconciler.asserts(spec, "all-balanced")).isTrue();
    assertThatThrownBy(() -> reconciler.apply(spec, "nope")).hasMessageContaining("config nope not found");
  }

  @Test
  void exportIsAConfigNamedCurrentThatReappliesAsIs() {
    reconciler.apply(gpu0, true, Map.of("1g.5gb", 3, "4g.20gb", 1));
    MigConfigCodec codec = new MigConfigCodec();
    String yaml = codec.write(new MigExporter(gpus).export());
    assertThat(yaml).isEqualTo("""
        version: "v1"
        mig-configs:
          current:
            - device-filter: "0x20B010DE"
              devices:
                - 0
              mig-enabled: true
              mig-devices:
                "1g.5gb": 3
                "4g.20gb": 1
            - device-filter: "0x233010DE"
              devices:
                - 1
              mig-enabled: false
        """);
    MigConfigSpec back = codec.parse(yaml);
    assertThat(reconciler.asserts(back, MigExporter.CURRENT)).isTrue();
  }
}
