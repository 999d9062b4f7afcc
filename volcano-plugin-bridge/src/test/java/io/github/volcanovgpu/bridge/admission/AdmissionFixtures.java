package io.github.volcanovgpu.bridge.admission;

import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.quota.DemandRule;
import io.github.volcanovgpu.bridge.quota.KindTotals;
import io.github.volcanovgpu.bridge.quota.PodScope;
import io.github.volcanovgpu.bridge.quota.Quota;
import io.github.volcanovgpu.bridge.quota.QuotaCheck;
import io.github.volcanovgpu.bridge.quota.QuotaScope;
import io.github.volcanovgpu.bridge.scheduling.DeviceKinds;
import io.github.volcanovgpu.bridge.vendor.VendorCatalog;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The admission scene of the goldens: every shipped kind (NVIDIA, the Ascend chips, Vastai); A100-40G cards and
 * 910B3 NPUs registered; team-a may hold 16000 MiB and 200 % of GPU, and holds 8000 MiB and 50 %; team-b may hold
 * 4 Vastai devices and holds 2; team-c may hold 40000 MiB of 910B3 memory and holds none; team-d's pods of priority class high may hold 1000 MiB
 * of GPU memory.
 */
final class AdmissionFixtures {
  static final DeviceKinds KINDS = VendorCatalog.kinds(DeviceConfig.defaults());

  static final List<Quota> QUOTAS = List.of(
      Quota.fromHard("team-a", "gpu", Map.of("limits.volcano.sh/vgpu-memory", "16000",
          "limits.volcano.sh/vgpu-cores", "200", "requests.cpu", "10")),
      Quota.fromHard("team-b", "va", Map.of("limits.vastaitech.com/va", "4")),
      Quota.fromHard("team-c", "npu", Map.of("limits.huawei.com/Ascend910B3-memory", "40000")),
      Quota.fromHard("team-d", "high", Map.of("limits.volcano.sh/vgpu-memory", "1000"),
          QuotaScope.of(List.of(), List.of(new QuotaScope.Requirement("PriorityClass", "In", Set.of("high"))))));

  static final Map<String, Map<String, KindTotals>> USED = Map.of(
      "team-a", Map.of("hamivgpu", new KindTotals(1, 8000, 50)),
      "team-b", Map.of("Vastai", new KindTotals(2, 0, 0)));

  static final Map<String, Long> LARGEST = Map.of("hamivgpu", 40960L, "Ascend910B3", 65536L);

  /** A cluster with fixed quotas, usage and device sizes; the check itself is the real one. */
  static AdmissionCluster cluster() {
    Map<String, QuotaCheck.Target> targets = QuotaCheck.targets(KINDS);
    return new AdmissionCluster() {
      @Override
      public Map<String, Long> largestDeviceMemory() {
        return LARGEST;
      }

      @Override
      public Optional<QuotaCheck.Breach> quotaBreach(PodView pod, Optional<PodScope> scope) {
        List<Quota> qs = QUOTAS.stream().filter(q -> q.namespace().equals(pod.namespace())).toList();
        return QuotaCheck.check(qs, targets, DemandRule.podDemand(KINDS, pod, LARGEST), scope,
            sc -> USED.getOrDefault(pod.namespace(), Map.of()));
      }

      @Override
      public Optional<QuotaCheck.Breach> quotaBreach(String namespace, Map<String, KindTotals> asked,
          boolean withUsage, Optional<PodScope> scope) {
        List<Quota> qs = QUOTAS.stream().filter(q -> q.namespace().equals(namespace)).toList();
        return QuotaCheck.check(qs, targets, asked, scope,
            sc -> withUsage ? USED.getOrDefault(namespace, Map.of()) : Map.of());
      }
    };
  }

  static PodAdmission admission() {
    return new PodAdmission(KINDS, new AdmissionPolicy(Optional.of("volcano"), Optional.empty(), true), cluster());
  }

  private AdmissionFixtures() {}
}
