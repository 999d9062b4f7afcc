package io.github.volcanovgpu.bridge.quota;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The pods a ResourceQuota counts: its {@code spec.scopes} and {@code spec.scopeSelector.matchExpressions}, all of
 * which a pod must match (Kubernetes' quota evaluator). A quota without them counts every pod of its namespace. A
 * pod whose scope is unknown (not seen by the sidecar's pod informer) is counted: a quota errs towards holding.
 */
public record QuotaScope(List<Requirement> requirements) {
  public static final QuotaScope ALL = new QuotaScope(List.of());

  public QuotaScope {
    requirements = List.copyOf(requirements);
  }

  /**
   * One scope requirement.
   *
   * @param scope {@code Terminating}, {@code NotTerminating}, {@code BestEffort}, {@code NotBestEffort},
   *     {@code PriorityClass}, {@code CrossNamespacePodAffinity} (any other, e.g. {@code VolumeAttributesClass},
   *     matches no pod)
   * @param operator {@code In}, {@code NotIn}, {@code Exists} or {@code DoesNotExist}
   */
  public record Requirement(String scope, String operator, Set<String> values) {
    public Requirement {
      Objects.requireNonNull(scope, "scope");
      Objects.requireNonNull(operator, "operator");
      values = Set.copyOf(values);
    }

    boolean matches(PodScope pod) {
      return switch (scope) {
        case "Terminating" -> holds(pod.terminating());
        case "NotTerminating" -> holds(!pod.terminating());
        case "BestEffort" -> holds(pod.bestEffort());
        case "NotBestEffort" -> holds(!pod.bestEffort());
        case "CrossNamespacePodAffinity" -> holds(pod.crossNamespaceAffinity());
        case "PriorityClass" -> switch (operator) {
          case "In" -> values.contains(pod.priorityClass());
          case "NotIn" -> !values.contains(pod.priorityClass());
          case "Exists" -> !pod.priorityClass().isEmpty();
          case "DoesNotExist" -> pod.priorityClass().isEmpty();
          default -> false;
        };
        default -> false;
      };
    }

    /** A yes/no scope: {@code Exists} (the API server's only choice for them) holds when it is true. */
    private boolean holds(boolean value) {
      return operator.equals("DoesNotExist") ? !value : value;
    }
  }

  /**
   * A quota's scope as the API server stores it.
   *
   * @param scopes {@code spec.scopes} (each as {@code Exists})
   * @param selector {@code spec.scopeSelector.matchExpressions}
   */
  public static QuotaScope of(List<String> scopes, List<Requirement> selector) {
    if (scopes.isEmpty() && selector.isEmpty()) {
      return ALL;
    }
    List<Requirement> all = new ArrayList<>();
    for (String s : scopes) {
      all.add(new Requirement(s, "Exists", Set.of()));
    }
    all.addAll(selector);
    return new QuotaScope(all);
  }

  public boolean isAll() {
    return requirements.isEmpty();
  }

  /** Whether the quota counts this pod; an unknown pod counts. */
  public boolean matches(Optional<PodScope> pod) {
    if (requirements.isEmpty() || pod.isEmpty()) {
      return true;
    }
    for (Requirement r : requirements) {
      if (!r.matches(pod.get())) {
        return false;
      }
    }
    return true;
  }
}
