package io.github.volcanovgpu.bridge.quota;

import io.github.volcanovgpu.bridge.device.DeviceUsage;
import io.github.volcanovgpu.bridge.device.NodeUsage;
import io.github.volcanovgpu.bridge.device.PodShare;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** What the namespaces hold per kind, from the ledgers' usage (assigned pods and in-flight reservations). */
public final class NamespaceUsage {
  private NamespaceUsage() {}

  /**
   * One namespace's totals per kind.
   *
   * @param usageByKind kind name to node name to usage ({@code PlacementEngine.usageByKind()})
   * @param excludeUid a pod not to count (the one being checked), or empty
   */
  public static Map<String, KindTotals> of(Map<String, Map<String, NodeUsage<?>>> usageByKind, String namespace,
      String excludeUid) {
    return of(usageByKind, namespace, excludeUid, uid -> true);
  }

  /**
   * One namespace's totals per kind over the pods {@code counted} accepts (by pod uid): a scoped quota's usage.
   *
   * @param excludeUid a pod not to count (the one being checked), or empty
   */
  public static Map<String, KindTotals> of(Map<String, Map<String, NodeUsage<?>>> usageByKind, String namespace,
      String excludeUid, java.util.function.Predicate<String> counted) {
    String prefix = namespace + "/";
    Map<String, KindTotals> out = new LinkedHashMap<>();
    usageByKind.forEach((kind, nodes) -> {
      long count = 0;
      long memory = 0;
      long cores = 0;
      for (NodeUsage<?> node : nodes.values()) {
        for (DeviceUsage<?> d : node.devices()) {
          for (PodShare s : d.pods()) {
            if (s.podKey().startsWith(prefix) && !s.podUid().equals(excludeUid) && counted.test(s.podUid())) {
              count++;
              memory += s.memoryUnits();
              cores += s.coresPercent();
            }
          }
        }
      }
      out.put(kind, new KindTotals(count, memory, cores));
    });
    return out;
  }

  /** Every namespace's totals per kind (namespaces in name order), for the quota metrics. */
  public static Map<String, Map<String, KindTotals>> all(Map<String, Map<String, NodeUsage<?>>> usageByKind) {
    Map<String, Map<String, KindTotals>> out = new TreeMap<>();
    usageByKind.forEach((kind, nodes) -> {
      for (NodeUsage<?> node : nodes.values()) {
        for (DeviceUsage<?> d : node.devices()) {
          for (PodShare s : d.pods()) {
            int slash = s.podKey().indexOf('/');
            String ns = slash < 0 ? "" : s.podKey().substring(0, slash);
            out.computeIfAbsent(ns, k -> new LinkedHashMap<>())
                .merge(kind, new KindTotals(1, s.memoryUnits(), s.coresPercent()), KindTotals::plus);
          }
        }
      }
    });
    return out;
  }

  /** The memory of each kind's largest known device (kinds with no registered device are absent). */
  public static Map<String, Long> largestDeviceMemory(Map<String, Map<String, NodeUsage<?>>> usageByKind) {
    Map<String, Long> out = new LinkedHashMap<>();
    usageByKind.forEach((kind, nodes) -> {
      for (NodeUsage<?> node : nodes.values()) {
        for (DeviceUsage<?> d : node.devices()) {
          out.merge(kind, d.device().memoryUnits(), Math::max);
        }
      }
    });
    return out;
  }
}
