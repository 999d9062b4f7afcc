package io.github.volcanovgpu.bridge.kube;

import io.github.volcanovgpu.bridge.quota.Quota;
import io.github.volcanovgpu.bridge.quota.QuotaScope;
import io.github.volcanovgpu.bridge.quota.QuotaSource;
import io.github.volcanovgpu.process.kube.Informers;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1ResourceQuotaList;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The namespaces' device quotas from a ResourceQuota informer: every quota with a {@code limits.} entry in
 * {@code spec.hard}, kept per namespace (quotas in name order). Lifecycle: {@link #start()}, then {@link #close()}.
 */
public final class KubeResourceQuotas implements QuotaSource, AutoCloseable {
  private final Informers informers;
  private final SharedIndexInformer<V1ResourceQuota> informer;
  /** namespace to quota name to quota. */
  private final ConcurrentHashMap<String, Map<String, Quota>> byNamespace = new ConcurrentHashMap<>();

  public KubeResourceQuotas(ApiClient watchClient) {
    this.informers = new Informers(watchClient, "kube-quota-informer-");
    CoreV1Api api = new CoreV1Api(watchClient);
    this.informer = informers.add(params -> api.listResourceQuotaForAllNamespaces()
        .resourceVersion(params.resourceVersion).timeoutSeconds(params.timeoutSeconds).watch(params.watch)
        .buildCall(null), V1ResourceQuota.class, V1ResourceQuotaList.class);
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(V1ResourceQuota q) {
        upsert(q);
      }

      @Override
      public void onUpdate(V1ResourceQuota old, V1ResourceQuota q) {
        upsert(q);
      }

      @Override
      public void onDelete(V1ResourceQuota q, boolean finalStateUnknown) {
        remove(q);
      }
    });
  }

  public void start() {
    informers.start();
  }

  public boolean awaitSynced(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!informer.hasSynced()) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  @Override
  public List<Quota> quotas(String namespace) {
    Map<String, Quota> m = byNamespace.get(namespace);
    return m == null ? List.of() : List.copyOf(m.values());
  }

  @Override
  public List<Quota> all() {
    List<Quota> out = new ArrayList<>();
    byNamespace.values().forEach(m -> out.addAll(m.values()));
    out.sort(Comparator.comparing(Quota::key));
    return out;
  }

  @Override
  public void close() {
    informers.close();
  }

  static Quota quota(V1ResourceQuota q) {
    Map<String, String> hard = new LinkedHashMap<>();
    Map<String, Quantity> h = q.getSpec() == null ? null : q.getSpec().getHard();
    if (h != null) {
      h.forEach((k, v) -> {
        if (k != null && v != null) {
          hard.put(k, v.toSuffixedString());
        }
      });
    }
    List<String> scopes = q.getSpec() == null || q.getSpec().getScopes() == null ? List.of()
        : q.getSpec().getScopes();
    List<QuotaScope.Requirement> selector = new java.util.ArrayList<>();
    if (q.getSpec() != null && q.getSpec().getScopeSelector() != null
        && q.getSpec().getScopeSelector().getMatchExpressions() != null) {
      for (var e : q.getSpec().getScopeSelector().getMatchExpressions()) {
        selector.add(new QuotaScope.Requirement(String.valueOf(e.getScopeName()), String.valueOf(e.getOperator()),
            java.util.Set.copyOf(e.getValues() == null ? List.of() : e.getValues())));
      }
    }
    return Quota.fromHard(q.getMetadata().getNamespace(), q.getMetadata().getName(), hard,
        QuotaScope.of(scopes, selector));
  }

  private void upsert(V1ResourceQuota q) {
    if (q.getMetadata() == null || q.getMetadata().getNamespace() == null || q.getMetadata().getName() == null) {
      return;
    }
    Quota quota = quota(q);
    byNamespace.compute(quota.namespace(), (ns, m) -> {
      Map<String, Quota> next = new java.util.TreeMap<>(m == null ? Map.of() : m);
      if (quota.limits().isEmpty()) {
        next.remove(quota.name());
      } else {
        next.put(quota.name(), quota);
      }
      return next.isEmpty() ? null : java.util.Collections.unmodifiableMap(next);
    });
  }

  private void remove(V1ResourceQuota q) {
    if (q.getMetadata() == null || q.getMetadata().getNamespace() == null) {
      return;
    }
    String name = q.getMetadata().getName();
    byNamespace.computeIfPresent(q.getMetadata().getNamespace(), (ns, m) -> {
      Map<String, Quota> next = new java.util.TreeMap<>(m);
      next.remove(name);
      return next.isEmpty() ? null : java.util.Collections.unmodifiableMap(next);
    });
  }
}
