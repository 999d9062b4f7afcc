package io.github.volcanovgpu.mig.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.mig.gpu.FakeMigGpus;
import io.github.volcanovgpu.mig.layout.MigConfigCodec;
import io.github.volcanovgpu.mig.layout.MigConfigSpec;
import io.github.volcanovgpu.mig.profile.ProfileCatalogue;
import io.github.volcanovgpu.mig.reconcile.MigReconciler;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MigConfigDaemonTest {
  static final String CONFIG = """
      version: v1
      mig-configs:
        all-disabled:
          - devices: all
            mig-enabled: false
        all-1g.5gb:
          - devices: all
            mig-enabled: true
            mig-devices: {"1g.5gb": 7}
        all-3g.20gb:
          - devices: all
            mig-enabled: true
            mig-devices: {"3g.20gb": 2}
      """;

  private final ProfileCatalogue catalogue = ProfileCatalogue.builtIn();
  private final FakeMigGpus gpus = new FakeMigGpus();
  private final int gpu = gpus.addGpu(catalogue.byName("A100-40GB").orElseThrow(), "GPU-a");
  private final MigReconciler reconciler = new MigReconciler(gpus, catalogue);
  private final MigConfigSpec spec = new MigConfigCodec().parse(CONFIG);
  private final FakeNodeLabels labels = new FakeNodeLabels();
  private final MigConfigDaemon daemon = new MigConfigDaemon(labels, spec, reconciler);

  @Test
  void withoutTheLabelNothingHappens() {
    assertThat(daemon.reconcileOnce()).isEmpty();
    assertThat(labels.states).isEmpty();
  }

  @Test
  void labelChangeGoesPendingThenSuccessAndIsAppliedOnce() {
    labels.labels.put(MigConfigDaemon.CONFIG_LABEL, "all-3g.20gb");
    assertThat(daemon.reconcileOnce()).contains("success");
    assertThat(labels.states).containsExactly("pending", "success");
    assertThat(reconciler.currentLayout(gpu)).isEqualTo(Map.of("3g.20gb", 2));
    assertThat(daemon.reconcileOnce()).isEmpty();
    assertThat(labels.states).hasSize(2);

    labels.labels.put(MigConfigDaemon.CONFIG_LABEL, "all-1g.5gb");
    daemon.reconcileOnce();
    assertThat(labels.states).containsExactly("pending", "success", "pending", "success");
    assertThat(reconciler.currentLayout(gpu)).isEqualTo(Map.of("1g.5gb", 7));
  }

  @Test
  void unknownConfigFails() {
    labels.labels.put(MigConfigDaemon.CONFIG_LABEL, "all-9g.99gb");
    assertThat(daemon.reconcileOnce()).contains("failed");
    assertThat(labels.states).containsExactly("pending", "failed");
  }

  @Test
  void busyGpuIsNeverReconfiguredAndTheConfigAppliesOnceItIsIdle() {
    labels.labels.put(MigConfigDaemon.CONFIG_LABEL, "all-3g.20gb");
    daemon.reconcileOnce();
    gpus.setRunningClients(gpu, true);
    labels.labels.put(MigConfigDaemon.CONFIG_LABEL, "all-1g.5gb");
    assertThat(daemon.reconcileOnce()).contains("failed");
    assertThat(reconciler.currentLayout(gpu)).isEqualTo(Map.of("3g.20gb", 2));
    assertThat(daemon.reconcileOnce()).as("retry without label churn").isEqualTo(Optional.empty());
    assertThat(labels.states).containsExactly("pending", "success", "pending", "failed");

    gpus.setRunningClients(gpu, false);
    assertThat(daemon.reconcileOnce()).contains("success");
    assertThat(reconciler.currentLayout(gpu)).isEqualTo(Map.of("1g.5gb", 7));
  }

  @Test
  void anAlreadyAppliedConfigIsOnlyAsserted() {
    reconciler.apply(gpu, true, Map.of("3g.20gb", 2));
    gpus.setRunningClients(gpu, true);
    labels.labels.put(MigConfigDaemon.CONFIG_LABEL, "all-3g.20gb");
    assertThat(daemon.reconcileOnce()).contains("success");
    assertThat(labels.states).containsExactly("success");
  }
}
