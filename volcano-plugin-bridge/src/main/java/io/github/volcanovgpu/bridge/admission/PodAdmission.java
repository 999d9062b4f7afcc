package io.github.volcanovgpu.bridge.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.volcanovgpu.bridge.device.ContainerDemand;
import io.github.volcanovgpu.bridge.device.DeviceVendor;
import io.github.volcanovgpu.bridge.device.InvalidDemandException;
import io.github.volcanovgpu.bridge.device.RequestShape;
import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.Quantities;
import io.github.volcanovgpu.bridge.quota.QuotaCheck;
import io.github.volcanovgpu.bridge.scheduling.DeviceKinds;
import io.github.volcanovgpu.contract.admission.AdmissionContract;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The admission decisions for pods, over every configured device kind (each known only through its
 * {@link RequestShape} and its demand parsing). Thread-safe and pure: the state it reads comes through
 * {@link AdmissionCluster}.
 *
 * <p>Both phases skip what is not a pod CREATE, and pods or namespaces labelled
 * {@value AdmissionContract#OPT_OUT_LABEL}={@value AdmissionContract#OPT_OUT_VALUE}; both refuse a name under a
 * kind's prefix that no kind reads (a typo: {@code volcano.sh/vgpu-memroy}), a device quantity that is negative or
 * not whole, a request no kind can read, and a memory per device above the largest device of its kind. A pod asking
 * for devices is also refused when {@code spec.nodeName} is preset (it would bypass the scheduler) and, by policy,
 * when a container is privileged.
 *
 * <p>{@link #mutate}: per container and kind, the count is filled when only memory, percentage or compute is asked
 * (the kind's default count), the default memory when a count is asked without memory, and compute: 100 % when a
 * whole device is asked (kinds with that rule), else the default compute; then what a kind rewrites
 * ({@link DeviceVendor#admissionRewrites}: an Ascend template pod's memory rounded up to its template); then the
 * scheduler and runtime class.
 * {@link #validate}: the namespace's device quota, on the pod as mutated; and a vcjob ({@code batch.volcano.sh} Job)
 * at CREATE through {@link GangAdmission}, so a gang that cannot run is refused whole.
 */
public final class PodAdmission {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String DEFAULT_SCHEDULER = "default-scheduler";

  private final DeviceKinds kinds;
  private final AdmissionPolicy policy;
  private final AdmissionCluster cluster;
  private final GangAdmission gangs;
  /** Every name a kind reads or tolerates. */
  private final Set<String> known;
  /** Name prefixes owned by the kinds: a name under one that is not {@link #known} is a typo. */
  private final List<String> ownedPrefixes;

  public PodAdmission(DeviceKinds kinds, AdmissionPolicy policy, AdmissionCluster cluster) {
    this.kinds = Objects.requireNonNull(kinds, "kinds");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.gangs = new GangAdmission(kinds, policy, cluster, this);
    Set<String> k = new LinkedHashSet<>(kinds.resourceNames());
    Set<String> prefixes = new TreeSet<>();
    for (DeviceVendor<?> v : kinds.all()) {
      k.addAll(v.requestShape().otherNames());
      prefixes.add(v.requestShape().count() + "-");
      for (String name : v.resourceNames()) {
        int slash = name.indexOf('/');
        int dash = name.indexOf('-', slash + 1);
        if (slash > 0 && dash > slash + 1) {
          prefixes.add(name.substring(0, dash + 1));
        }
      }
    }
    this.known = Set.copyOf(k);
    this.ownedPrefixes = List.copyOf(prefixes);
  }

  /** The mutating webhook's answer. */
  public AdmissionDecision mutate(AdmissionRequest request) {
    return review(request, true);
  }

  /** The validating webhook's answer. */
  public AdmissionDecision validate(AdmissionRequest request) {
    return review(request, false);
  }

  private AdmissionDecision review(AdmissionRequest request, boolean mutate) {
    if (!"CREATE".equals(request.operation()) || !request.object().isObject()) {
      return AdmissionDecision.UNCHANGED;
    }
    if (AdmissionContract.VCJOB_GROUP.equals(request.group()) && AdmissionContract.VCJOB_KIND.equals(request.kind())) {
      return mutate ? AdmissionDecision.UNCHANGED : gangs.validate(request);
    }
    if (!request.group().isEmpty() || !"Pod".equals(request.kind())) {
      return AdmissionDecision.UNCHANGED;
    }
    AdmittedPod pod = AdmittedPod.read(request.object(), request.namespace(), request.uid());
    if (AdmissionContract.OPT_OUT_VALUE.equals(pod.labels().get(AdmissionContract.OPT_OUT_LABEL))) {
      return AdmissionDecision.UNCHANGED;
    }
    List<PatchOp> patch = new ArrayList<>();
    Checked checked = check(pod, mutate ? patch : null);
    if (checked.denial() != null) {
      return AdmissionDecision.deny(checked.denial());
    }
    PodView view = checked.view();
    if (view == null) {
      return AdmissionDecision.UNCHANGED;
    }
    if (!mutate) {
      try {
        Optional<QuotaCheck.Breach> breach = cluster.quotaBreach(view, Optional.of(pod.scope()));
        if (breach.isPresent()) {
          return AdmissionDecision.deny("pod " + view.key() + ": " + breach.get().message());
        }
      } catch (InvalidDemandException e) {
        return AdmissionDecision.deny(e.getMessage());
      }
    }
    return new AdmissionDecision.Allowed(patch);
  }

  /**
   * What the checks of one pod found: a denial, or the pod as admitted (normalised when mutating), or neither when it
   * asks for no device.
   */
  record Checked(@Nullable String denial, @Nullable PodView view) {}

  /**
   * Every check of a pod but the quota, shared by pods and vcjob task templates.
   *
   * @param patch where the normalisation's operations go; null: validate only (the pod is read as it is)
   */
  Checked check(AdmittedPod pod, @Nullable List<PatchOp> patch) {
    String denial = badNamesOrValues(pod);
    if (denial != null) {
      return new Checked(denial, null);
    }
    if (!asksDevices(pod)) {
      return new Checked(null, null);
    }
    PodView view = pod.view();
    if (!view.nodeName().isEmpty()) {
      return new Checked("pod " + view.key() + " asks for devices and has node assigned (spec.nodeName="
          + view.nodeName() + "): a device share must be placed by the scheduler, which records it", null);
    }
    if (policy.denyPrivileged()) {
      for (AdmittedPod.Slot s : pod.containers()) {
        if (s.privileged()) {
          return new Checked("pod " + view.key() + ": container " + s.container().name()
              + " is privileged and the pod asks for device shares; a privileged container sees every device and "
              + "escapes every limit (the sidecar's --webhook-allow-privileged lets such pods in)", null);
        }
      }
    }
    try {
      if (patch != null) {
        view = normalise(pod, patch);
        policy.schedulerName().ifPresent(name -> {
          if ((pod.schedulerName().isEmpty() || pod.schedulerName().equals(DEFAULT_SCHEDULER))
              && !pod.schedulerName().equals(name)) {
            patch.add(new PatchOp("add", "/spec/schedulerName", NODES.textNode(name)));
          }
        });
        policy.runtimeClassName().ifPresent(name -> {
          if (pod.runtimeClassName().isEmpty()) {
            patch.add(new PatchOp("add", "/spec/runtimeClassName", NODES.textNode(name)));
          }
        });
      } else {
        for (ContainerView c : view.containers()) {
          for (DeviceVendor<?> kind : kinds.all()) {
            kind.admissionRewrites(view, c); // refuses what no rewrite can make placeable
          }
        }
      }
      String tooLarge = memoryAboveEveryDevice(view);
      if (tooLarge != null) {
        return new Checked(tooLarge, null);
      }
    } catch (InvalidDemandException e) {
      return new Checked(e.getMessage(), null);
    }
    return new Checked(null, view);
  }

  /** A typo'd name under a kind's prefix, or a device quantity that is not a whole non-negative number. */
  private @Nullable String badNamesOrValues(AdmittedPod pod) {
    for (AdmittedPod.Slot s : pod.containers()) {
      ContainerView c = s.container();
      for (var section : List.of(Map.entry("limits", c.limits()), Map.entry("requests", c.requests()))) {
        for (Map.Entry<String, String> e : section.getValue().entrySet()) {
          String name = e.getKey();
          if (!known.contains(name)) {
            for (String prefix : ownedPrefixes) {
              if (name.startsWith(prefix)) {
                return "pod " + pod.view().key() + " container " + c.name() + ": resources." + section.getKey() + " "
                    + name + " is not a device resource of this cluster (a typo?); resources under " + prefix
                    + " are " + String.join(", ", new TreeSet<>(namesUnder(prefix)));
              }
            }
            continue;
          }
          if (!kinds.resourceNames().contains(name)) {
            continue;
          }
          String raw = e.getValue();
          String problem;
          try {
            long v = Quantities.wholeValue(raw);
            problem = v < 0 ? "\"" + raw + "\" is negative" : null;
          } catch (IllegalArgumentException ex) {
            problem = ex.getMessage();
          }
          if (problem != null) {
            return "pod " + pod.view().key() + " container " + c.name() + ": resources." + section.getKey() + " "
                + name + ": " + problem + " (device resources are whole non-negative numbers)";
          }
        }
      }
    }
    return null;
  }

  private List<String> namesUnder(String prefix) {
    return known.stream().filter(n -> n.startsWith(prefix)).toList();
  }

  private boolean asksDevices(AdmittedPod pod) {
    for (AdmittedPod.Slot s : pod.containers()) {
      for (String name : s.container().limits().keySet()) {
        if (kinds.resourceNames().contains(name)) {
          return true;
        }
      }
      for (String name : s.container().requests().keySet()) {
        if (kinds.resourceNames().contains(name)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Fills counts, default memory and compute per container; adds the patch; returns the pod as patched. */
  private PodView normalise(AdmittedPod pod, List<PatchOp> patch) {
    List<ContainerView> app = new ArrayList<>();
    List<ContainerView> init = new ArrayList<>();
    for (AdmittedPod.Slot s : pod.containers()) {
      Map<String, String> adds = new LinkedHashMap<>();
      for (DeviceVendor<?> kind : kinds.all()) {
        additions(s.container(), kind.requestShape(), adds);
      }
      ContainerView filled = withAdds(s, s.container(), adds);
      for (DeviceVendor<?> kind : kinds.all()) {
        adds.putAll(kind.admissionRewrites(pod.view(), filled));
      }
      ContainerView c = s.container();
      if (!adds.isEmpty()) {
        patch.addAll(ops(s, adds));
        c = withAdds(s, c, adds);
      }
      (s.init() ? init : app).add(c);
    }
    PodView v = pod.view();
    return new PodView(v.uid(), v.namespace(), v.name(), v.annotations(), app, init, v.nodeName(), v.phase(),
        v.resourceVersion());
  }

  /** The container as the patch leaves it: {@code adds} in its limits, and in its requests when it has some. */
  private static ContainerView withAdds(AdmittedPod.Slot s, ContainerView c, Map<String, String> adds) {
    if (adds.isEmpty()) {
      return c;
    }
    Map<String, String> limits = new LinkedHashMap<>(c.limits());
    limits.putAll(adds);
    Map<String, String> requests = new LinkedHashMap<>(c.requests());
    if (s.hasRequests()) {
      requests.putAll(adds);
    }
    return new ContainerView(c.name(), limits, requests);
  }

  private static void additions(ContainerView c, RequestShape shape, Map<String, String> adds) {
    Long count = given(c, shape.count());
    Long memory = shape.memory().map(n -> given(c, n)).orElse(null);
    Long percent = shape.memoryPercentage().map(n -> given(c, n)).orElse(null);
    Long cores = shape.cores().map(n -> given(c, n)).orElse(null);
    if (count == null && memory == null && percent == null && cores == null) {
      return; // not this kind (or asked through an alias the kind reads itself)
    }
    if (count != null && count == 0) {
      return; // explicitly none
    }
    if (count == null) {
      adds.put(shape.count(), Integer.toString(shape.defaultCount()));
    }
    if (shape.memory().isPresent() && memory == null && percent == null && shape.defaultMemoryUnits() > 0) {
      memory = shape.defaultMemoryUnits();
      adds.put(shape.memory().get(), Long.toString(memory));
    }
    if (shape.cores().isPresent() && cores == null) {
      boolean wholeDevice = (memory == null || memory == 0) && (percent == null || percent == 100);
      if (shape.exclusiveWholeCard() && wholeDevice) {
        adds.put(shape.cores().get(), "100");
      } else if (shape.defaultCoresPercent() > 0) {
        adds.put(shape.cores().get(), Integer.toString(shape.defaultCoresPercent()));
      }
    }
  }

  /** The container's limit of {@code name}, else its request; null when neither (values were checked before). */
  private static @Nullable Long given(ContainerView c, String name) {
    String raw = c.limits().get(name);
    if (raw == null) {
      raw = c.requests().get(name);
    }
    return raw == null ? null : Quantities.wholeValue(raw);
  }

  private static List<PatchOp> ops(AdmittedPod.Slot s, Map<String, String> adds) {
    List<PatchOp> out = new ArrayList<>();
    if (!s.hasResources()) {
      ObjectNode resources = NODES.objectNode();
      resources.set("limits", object(adds));
      out.add(new PatchOp("add", s.pointer() + "/resources", resources));
      return out;
    }
    if (!s.hasLimits()) {
      out.add(new PatchOp("add", s.pointer() + "/resources/limits", object(adds)));
    } else {
      adds.forEach((k, v) -> out.add(new PatchOp("add", s.pointer() + "/resources/limits/" + PatchOp.escape(k),
          NODES.textNode(v))));
    }
    if (s.hasRequests()) {
      adds.forEach((k, v) -> out.add(new PatchOp("add", s.pointer() + "/resources/requests/" + PatchOp.escape(k),
          NODES.textNode(v))));
    }
    return out;
  }

  private static JsonNode object(Map<String, String> m) {
    ObjectNode o = NODES.objectNode();
    m.forEach(o::put);
    return o;
  }

  /** A container asking more memory per device than the largest device of its kind has; null when none does. */
  private @Nullable String memoryAboveEveryDevice(PodView view) {
    Map<String, Long> largest = cluster.largestDeviceMemory();
    List<PodView> parts = new ArrayList<>();
    parts.add(view);
    for (ContainerView ic : view.initContainers()) {
      parts.add(view.withContainers(List.of(ic)));
    }
    for (PodView part : parts) {
      for (DeviceKinds.KindDemand d : kinds.demands(part)) {
        DeviceVendor<?> kind = kinds.all().get(d.kind());
        Long max = largest.get(kind.deviceName());
        if (max == null) {
          continue;
        }
        for (ContainerDemand c : d.demand().containers()) {
          if (c.memoryPercent() == ContainerDemand.PERCENT_NOT_GIVEN && c.memoryUnits() > max) {
            return "pod " + view.key() + " container " + c.containerName() + " asks for "
                + kind.requestShape().memory().orElse("memory") + " " + c.memoryUnits() + " per " + kind.unit()
                + ", more than the largest " + kind.deviceName() + " " + kind.unit() + " of the cluster has ("
                + max + ")";
          }
        }
      }
    }
    return null;
  }
}
