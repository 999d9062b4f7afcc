package io.github.volcanovgpu.plugin.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthPolicyTest {
  @Test
  void defaultsIgnoreApplicationXidsOnly() {
    HealthPolicy p = HealthPolicy.fromEnvironment(Map.of());
    for (long xid : new long[] {13, 31, 43, 45, 68, 109}) {
      assertThat(p.isCritical(xid)).as("XID %d", xid).isFalse();
    }
    assertThat(p.isCritical(48)).isTrue();
    assertThat(p.isCritical(79)).isTrue();
    assertThat(p.enabled()).isTrue();
  }

  @Test
  void disableAllTurnsHealthChecksOff() {
    HealthPolicy p = HealthPolicy.fromEnvironment(Map.of("DP_DISABLE_HEALTHCHECKS", "all"));
    assertThat(p.enabled()).isFalse();
    assertThat(p.isCritical(79)).isFalse();
  }

  @Test
  void disableXidsIgnoresEveryXidUnlessEnabledExplicitly() {
    HealthPolicy p = HealthPolicy.fromEnvironment(
        Map.of("DP_DISABLE_HEALTHCHECKS", "xids", "DP_ENABLE_HEALTHCHECKS", "79"));
    assertThat(p.enabled()).isTrue();
    assertThat(p.isCritical(48)).isFalse();
    assertThat(p.isCritical(79)).isTrue();
  }

  @Test
  void disableListAddsToIgnoredAndEnableListOverrides() {
    HealthPolicy p = HealthPolicy.fromEnvironment(
        Map.of("DP_DISABLE_HEALTHCHECKS", " 48, 63 ", "DP_ENABLE_HEALTHCHECKS", "13,63"));
    assertThat(p.isCritical(48)).isFalse();
    assertThat(p.isCritical(63)).isTrue();
    assertThat(p.isCritical(13)).isTrue();
    assertThat(p.isCritical(31)).isFalse();
    assertThat(p.isCritical(79)).isTrue();
  }

  @Test
  void enableAllMakesEvenApplicationXidsCritical() {
    HealthPolicy p = HealthPolicy.fromEnvironment(Map.of("DP_ENABLE_HEALTHCHECKS", "ALL"));
    assertThat(p.isCritical(13)).isTrue();
  }

  @Test
  void unknownTokensAreRejectedNamingVariableAndToken() {
    assertThatThrownBy(() -> HealthPolicy.fromEnvironment(Map.of("DP_DISABLE_HEALTHCHECKS", "13,foo")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DP_DISABLE_HEALTHCHECKS").hasMessageContaining("\"foo\"");
    assertThatThrownBy(() -> HealthPolicy.fromEnvironment(Map.of("DP_ENABLE_HEALTHCHECKS", "-4")))
        .hasMessageContaining("DP_ENABLE_HEALTHCHECKS");
  }
}
