package io.github.volcanovgpu.bridge.admission;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.quota.PodScope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A pod as an AdmissionReview carries it: the scheduler's view of it plus what admission decides on (privileged
 * containers, preset node, scheduler and runtime class) and where each container sits in the JSON (for patches).
 * Quantities are kept as written (a number or a string), so that a bad value is refused with its own text.
 *
 * @param containers app containers then init containers, with their JSON pointers
 */
public record AdmittedPod(PodView view, List<Slot> containers, Map<String, String> labels, String schedulerName,
    String runtimeClassName, PodScope scope) {
  public AdmittedPod {
    Objects.requireNonNull(view, "view");
    Objects.requireNonNull(scope, "scope");
    containers = List.copyOf(containers);
    labels = Map.copyOf(labels);
    Objects.requireNonNull(schedulerName, "schedulerName");
    Objects.requireNonNull(runtimeClassName, "runtimeClassName");
  }

  /**
   * One container and where it is.
   *
   * @param pointer e.g. {@code /spec/containers/0}
   * @param hasResources whether {@code resources} exists; {@code hasLimits}, {@code hasRequests} likewise
   */
  public record Slot(ContainerView container, String pointer, boolean init, boolean privileged, boolean hasResources,
      boolean hasLimits, boolean hasRequests) {}

  /**
   * Reads {@code request.object}.
   *
   * @param namespace the review's namespace (used when the object's is empty, as at CREATE)
   * @throws MalformedReviewException when it is not a pod
   */
  public static AdmittedPod read(JsonNode pod, String namespace, String uid) {
    if (!pod.isObject()) {
      throw new MalformedReviewException("request.object is not a pod");
    }
    JsonNode meta = pod.path("metadata");
    JsonNode spec = pod.path("spec");
    if (!spec.isObject()) {
      throw new MalformedReviewException("the pod has no spec");
    }
    List<Slot> slots = new ArrayList<>();
    List<ContainerView> app = containers(spec.path("containers"), "/spec/containers", false, slots);
    List<ContainerView> init = containers(spec.path("initContainers"), "/spec/initContainers", true, slots);
    String ns = meta.path("namespace").asText("");
    String name = meta.path("name").asText("");
    if (name.isEmpty()) {
      name = meta.path("generateName").asText("") + "<generated>";
    }
    String podUid = meta.path("uid").asText("");
    PodView view = new PodView(podUid.isEmpty() ? "admission-" + uid : podUid, ns.isEmpty() ? namespace : ns, name,
        strings(meta.path("annotations")), app, init, spec.path("nodeName").asText(""), "", "");
    return new AdmittedPod(view, slots, strings(meta.path("labels")), spec.path("schedulerName").asText(""),
        spec.path("runtimeClassName").asText(""), scope(spec, app, init));
  }

  /** What ResourceQuota scopes look at in the pod's spec (as {@code KubeModelMapper.podScope} reads a V1Pod). */
  private static PodScope scope(JsonNode spec, List<ContainerView> app, List<ContainerView> init) {
    JsonNode deadline = spec.path("activeDeadlineSeconds");
    boolean terminating = deadline.isIntegralNumber() && deadline.asLong() >= 0;
    boolean crossNamespace = false;
    for (String kind : List.of("podAffinity", "podAntiAffinity")) {
      JsonNode a = spec.path("affinity").path(kind);
      List<JsonNode> terms = new ArrayList<>();
      a.path("requiredDuringSchedulingIgnoredDuringExecution").forEach(terms::add);
      a.path("preferredDuringSchedulingIgnoredDuringExecution").forEach(w -> terms.add(w.path("podAffinityTerm")));
      for (JsonNode t : terms) {
        if ((t.path("namespaces").isArray() && !t.path("namespaces").isEmpty()) || t.path("namespaceSelector")
            .isObject()) {
          crossNamespace = true;
        }
      }
    }
    return new PodScope(terminating, PodScope.bestEffort(app, init), spec.path("priorityClassName").asText(""),
        crossNamespace);
  }

  private static List<ContainerView> containers(JsonNode list, String base, boolean init, List<Slot> slots) {
    if (list.isMissingNode() || list.isNull()) {
      return List.of();
    }
    if (!list.isArray()) {
      throw new MalformedReviewException(base.substring(1).replace('/', '.') + " is not a list");
    }
    List<ContainerView> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      JsonNode c = list.get(i);
      JsonNode resources = c.path("resources");
      ContainerView view = new ContainerView(c.path("name").asText(""), strings(resources.path("limits")),
          strings(resources.path("requests")));
      out.add(view);
      slots.add(new Slot(view, base + "/" + i, init, c.path("securityContext").path("privileged").asBoolean(false),
          resources.isObject(), resources.path("limits").isObject(), resources.path("requests").isObject()));
    }
    return out;
  }

  /** A JSON object's members as strings (a quantity may be written as a number); non-objects are empty. */
  private static Map<String, String> strings(JsonNode node) {
    if (!node.isObject() || node.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> {
      if (e.getValue().isValueNode() && !e.getValue().isNull()) {
        out.put(e.getKey(), e.getValue().asText());
      }
    });
    return out;
  }
}
