package io.github.volcanovgpu.bridge.metrics;

import io.github.volcanovgpu.bridge.quota.KindTotals;
import io.github.volcanovgpu.bridge.quota.NamespaceUsage;
import io.github.volcanovgpu.bridge.quota.Quota;
import io.github.volcanovgpu.bridge.quota.QuotaCheck;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The device quotas as HAMi exports them (reference hami-features.md 4.1), so HAMi's dashboards read them:
 * {@code hami_resource_quota_used{namespace, quota_name, limit}} (what the namespace holds of a limited resource;
 * {@code quota_name} is the resource, {@code limit} the allowed total) and v2.10's
 * {@code hami_resource_quota_limit{namespace, quota_name}}; one series per {@code limits.} entry naming a device
 * resource, refreshed from the ledgers before each scrape. Plus the webhook's answers,
 * {@code volcano_vgpu_admission_reviews_total{webhook, outcome}} (outcome allowed, denied, malformed or error; their
 * latency is {@code volcano_vgpu_bridge_request{transport="webhook"}}).
 */
public final class AdmissionMetrics {
  private final PlacementEngine engine;
  private final MultiGauge used;
  private final MultiGauge limit;
  private final Map<String, QuotaCheck.Target> targets;
  private final MeterRegistry registry;

  public AdmissionMetrics(PlacementEngine engine, MeterRegistry registry) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.targets = QuotaCheck.targets(engine.kinds());
    this.registry = registry;
    this.used = MultiGauge.builder("hami_resource_quota_used")
        .description("Device resource a namespace holds against its ResourceQuota limits.<resource>")
        .register(registry);
    this.limit = MultiGauge.builder("hami_resource_quota_limit")
        .description("The ResourceQuota limits.<resource> of a device resource in a namespace")
        .register(registry);
  }

  /** Counts one answered review ({@code webhook}: mutate or validate). */
  public void recordReview(String webhook, String outcome) {
    Counter.builder("volcano_vgpu_admission_reviews")
        .description("AdmissionReviews answered by the webhook")
        .tags("webhook", webhook, "outcome", outcome)
        .register(registry)
        .increment();
  }

  /** Re-reads quotas and the ledgers; call before a scrape. */
  public void refresh() {
    List<Quota> quotas = engine.quotas().all();
    List<MultiGauge.Row<?>> u = new ArrayList<>();
    List<MultiGauge.Row<?>> l = new ArrayList<>();
    if (!quotas.isEmpty()) {
      Map<String, Map<String, KindTotals>> byNs = NamespaceUsage.all(engine.usageByKind());
      for (Quota q : quotas) {
        q.limits().forEach((resource, allowed) -> {
          QuotaCheck.Target t = targets.get(resource);
          if (t == null) {
            return;
          }
          Map<String, KindTotals> ofQuota = q.scope().isAll() ? byNs.getOrDefault(q.namespace(), Map.of())
              : engine.quotaUsage(q);
          long held = ofQuota.getOrDefault(t.kind(), KindTotals.ZERO).of(t.dimension());
          u.add(MultiGauge.Row.of(Tags.of("namespace", q.namespace(), "quota_name", resource, "limit",
              Long.toString(allowed)), held));
          l.add(MultiGauge.Row.of(Tags.of("namespace", q.namespace(), "quota_name", resource), allowed));
        });
      }
    }
    used.register(u, true);
    limit.register(l, true);
  }
}
