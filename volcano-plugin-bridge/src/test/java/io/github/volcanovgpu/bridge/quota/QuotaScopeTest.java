package io.github.volcanovgpu.bridge.quota;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which pods a ResourceQuota's scopes select, as Kubernetes' quota evaluator decides it. */
class QuotaScopeTest {
  private static final PodScope PLAIN = new PodScope(false, false, "", false);
  private static final PodScope BATCH = new PodScope(true, false, "batch", false);
  private static final PodScope BEST_EFFORT = new PodScope(false, true, "", true);

  private static QuotaScope scopes(String... names) {
    return QuotaScope.of(List.of(names), List.of());
  }

  private static QuotaScope priority(String operator, String... values) {
    return QuotaScope.of(List.of(), List.of(new QuotaScope.Requirement("PriorityClass", operator, Set.of(values))));
  }

  @Test
  void aQuotaWithoutScopesCountsEveryPod() {
    assertThat(QuotaScope.ALL.matches(Optional.of(BATCH))).isTrue();
    assertThat(QuotaScope.of(List.of(), List.of())).isSameAs(QuotaScope.ALL);
  }

  @Test
  void yesNoScopesFollowTheDeadlineTheQosClassAndCrossNamespaceAffinity() {
    assertThat(scopes("Terminating").matches(Optional.of(BATCH))).isTrue();
    assertThat(scopes("Terminating").matches(Optional.of(PLAIN))).isFalse();
    assertThat(scopes("NotTerminating").matches(Optional.of(PLAIN))).isTrue();
    assertThat(scopes("BestEffort").matches(Optional.of(BEST_EFFORT))).isTrue();
    assertThat(scopes("NotBestEffort").matches(Optional.of(BEST_EFFORT))).isFalse();
    assertThat(scopes("CrossNamespacePodAffinity").matches(Optional.of(BEST_EFFORT))).isTrue();
    assertThat(scopes("Terminating", "NotBestEffort").matches(Optional.of(BATCH))).isTrue();
    assertThat(scopes("Terminating", "BestEffort").matches(Optional.of(BATCH))).as("all must hold").isFalse();
  }

  @Test
  void priorityClassSelectorsUseTheirOperator() {
    assertThat(priority("In", "batch", "high").matches(Optional.of(BATCH))).isTrue();
    assertThat(priority("In", "high").matches(Optional.of(BATCH))).isFalse();
    assertThat(priority("NotIn", "high").matches(Optional.of(BATCH))).isTrue();
    assertThat(priority("Exists").matches(Optional.of(PLAIN))).isFalse();
    assertThat(priority("DoesNotExist").matches(Optional.of(PLAIN))).isTrue();
    assertThat(scopes("PriorityClass").matches(Optional.of(BATCH))).as("in spec.scopes: has one").isTrue();
  }

  @Test
  void aScopeNoPodCarriesSelectsNoPodAndAnUnknownPodIsCounted() {
    assertThat(scopes("VolumeAttributesClass").matches(Optional.of(PLAIN))).isFalse();
    assertThat(priority("In", "high").matches(Optional.empty())).isTrue();
  }

  @Test
  void qosIsBestEffortOnlyWithoutCpuOrMemoryAnywhere() {
    var gpuOnly = new io.github.volcanovgpu.bridge.model.ContainerView("w", java.util.Map.of("volcano.sh/vgpu-number",
        "1"), java.util.Map.of());
    var cpuInit = new io.github.volcanovgpu.bridge.model.ContainerView("i", java.util.Map.of(), java.util.Map.of("cpu",
        "1"));
    assertThat(PodScope.bestEffort(List.of(gpuOnly), List.of())).isTrue();
    assertThat(PodScope.bestEffort(List.of(gpuOnly), List.of(cpuInit))).isFalse();
  }
}
