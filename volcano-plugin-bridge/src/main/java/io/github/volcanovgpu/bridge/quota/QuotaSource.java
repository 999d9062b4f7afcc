package io.github.volcanovgpu.bridge.quota;

import java.util.List;

/** Where the namespaces' device quotas are read: the ResourceQuota informer ({@code bridge.kube}) or nothing. */
public interface QuotaSource {
  /** The quotas of one namespace that have at least one {@code limits.} entry. */
  List<Quota> quotas(String namespace);

  /** Every such quota (for metrics). */
  List<Quota> all();

  QuotaSource NONE = new QuotaSource() {
    @Override
    public List<Quota> quotas(String namespace) {
      return List.of();
    }

    @Override
    public List<Quota> all() {
      return List.of();
    }
  };

  /** A fixed set, for tests and the simulator. */
  static QuotaSource of(List<Quota> quotas) {
    List<Quota> copy = List.copyOf(quotas);
    return new QuotaSource() {
      @Override
      public List<Quota> quotas(String namespace) {
        return copy.stream().filter(q -> q.namespace().equals(namespace)).toList();
      }

      @Override
      public List<Quota> all() {
        return copy;
      }
    };
  }
}
