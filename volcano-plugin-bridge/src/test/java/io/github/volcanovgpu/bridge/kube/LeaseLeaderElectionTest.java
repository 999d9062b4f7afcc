package io.github.volcanovgpu.bridge.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubernetes.client.openapi.ApiClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LeaseLeaderElectionTest {
  private static LeaseLeaderElection.Settings settings(Duration lease, Duration renew, Duration retry) {
    return new LeaseLeaderElection.Settings("volcano-system", "volcano-vgpu-sidecar", "pod-0", lease, renew, retry);
  }

  @Test
  void settingsRejectARenewDeadlineThatOutlastsTheLease() {
    assertThatThrownBy(() -> settings(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lease duration");
  }

  @Test
  void settingsRejectALeaseThatCouldExpireBeforeTheLeaderStopsDeciding() {
    assertThatThrownBy(() -> settings(Duration.ofSeconds(12), Duration.ofSeconds(10), Duration.ofSeconds(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("renew deadline plus the retry period");
    assertThat(settings(Duration.ofSeconds(13), Duration.ofSeconds(10), Duration.ofSeconds(2)).leaseDuration())
        .hasSeconds(13);
  }

  @Test
  void settingsRejectARetryPeriodThatOutlastsTheRenewDeadline() {
    assertThatThrownBy(() -> settings(Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofSeconds(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("renew deadline");
  }

  @Test
  void settingsRejectNamesThatCannotBeALease() {
    assertThatThrownBy(() -> new LeaseLeaderElection.Settings("volcano-system", "Bad_Name", "pod-0",
        Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lease name").hasMessageContaining("Bad_Name");
    assertThatThrownBy(() -> LeaseLeaderElection.Settings.defaults("volcano-system", "lease", " "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("identity");
  }

  @Test
  void aReplicaThatNeverStartedIsNotTheLeaderAndSaysWhy() {
    LeaseLeaderElection e = new LeaseLeaderElection(new ApiClient(),
        LeaseLeaderElection.Settings.defaults("volcano-system", "volcano-vgpu-sidecar", "pod-0"));
    assertThat(e.isLeader()).isFalse();
    assertThat(e.refusal()).hasValue(
        "sidecar replica pod-0 is not the leader of Lease volcano-system/volcano-vgpu-sidecar (no leader yet)");
    e.close();
  }
}
