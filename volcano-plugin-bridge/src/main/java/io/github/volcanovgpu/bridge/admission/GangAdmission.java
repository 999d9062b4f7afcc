package io.github.volcanovgpu.bridge.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.volcanovgpu.bridge.device.InvalidDemandException;
import io.github.volcanovgpu.bridge.quota.DemandRule;
import io.github.volcanovgpu.bridge.quota.KindTotals;
import io.github.volcanovgpu.bridge.quota.KindTotals.Dimension;
import io.github.volcanovgpu.bridge.quota.PodScope;
import io.github.volcanovgpu.bridge.quota.QuotaCheck;
import io.github.volcanovgpu.bridge.scheduling.DeviceKinds;
import io.github.volcanovgpu.contract.admission.AdmissionContract;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A vcjob ({@code batch.volcano.sh/v1alpha1} Job) at creation: every task's pod template passes the pod checks (a
 * typo'd resource, a bad value, memory above every device, a preset node, a privileged container beside a share),
 * and the gang is held against the namespace's device quotas, so a job whose pods the quota would refuse is refused
 * whole instead of being half created.
 *
 * <p>The gang is what Volcano must start together: the job's {@code minAvailable} pods (default the sum of the
 * tasks'), among them each task's {@code minAvailable} (default its replicas, or {@code minPartitions x
 * partitionSize}, as Volcano's job webhook fills it) unless the job asks fewer than those sum to (then Volcano's gang
 * ignores the tasks' minimums, and so does this). Its demand per kind and dimension is the least any such set
 * of pods asks (the cheapest pods fill the rest), each pod counted as the webhook will admit it (normalised: counts
 * and defaults filled, Ascend templates rounded). So a refused gang could not have started in any arrangement.
 */
final class GangAdmission {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final DeviceKinds kinds;
  private final AdmissionPolicy policy;
  private final AdmissionCluster cluster;
  private final PodAdmission pods;

  GangAdmission(DeviceKinds kinds, AdmissionPolicy policy, AdmissionCluster cluster, PodAdmission pods) {
    this.kinds = Objects.requireNonNull(kinds, "kinds");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.pods = Objects.requireNonNull(pods, "pods");
  }

  /** One task: how many pods it has, how many the gang needs of it, and what one of its pods asks per kind. */
  private record Task(String name, long replicas, long min, Map<String, KindTotals> demand) {}

  AdmissionDecision validate(AdmissionRequest request) {
    JsonNode job = request.object();
    JsonNode meta = job.path("metadata");
    if (AdmissionContract.OPT_OUT_VALUE.equals(meta.path("labels").path(AdmissionContract.OPT_OUT_LABEL).asText())) {
      return AdmissionDecision.UNCHANGED;
    }
    String namespace = meta.path("namespace").asText("");
    if (namespace.isEmpty()) {
      namespace = request.namespace();
    }
    String name = meta.path("name").asText("");
    if (name.isEmpty()) {
      name = meta.path("generateName").asText("") + "<generated>";
    }
    String key = "vcjob " + namespace + "/" + name;
    JsonNode taskList = job.path("spec").path("tasks");
    if (!taskList.isArray()) {
      return AdmissionDecision.UNCHANGED; // no tasks: nothing of ours (Volcano's own webhook refuses it)
    }
    Map<String, Long> largest = cluster.largestDeviceMemory();
    List<Task> tasks = new ArrayList<>();
    java.util.Set<PodScope> scopes = new java.util.HashSet<>();
    String jobPriorityClass = job.path("spec").path("priorityClassName").asText("");
    long defaultJobMin = 0;
    for (int i = 0; i < taskList.size(); i++) {
      JsonNode t = taskList.get(i);
      String taskName = t.path("name").asText("");
      if (taskName.isEmpty()) {
        taskName = "default" + i; // Volcano's job webhook names it so
      }
      long replicas = Math.max(0, t.path("replicas").asLong(0));
      long min = taskMin(t, replicas);
      defaultJobMin += min;
      AdmittedPod pod;
      try {
        pod = AdmittedPod.read(podOf(t.path("template"), namespace, name + "-" + taskName + "-0"), namespace,
            request.uid() + "-" + i);
      } catch (MalformedReviewException e) {
        return AdmissionDecision.deny(key + " task " + taskName + ": " + e.getMessage());
      }
      PodScope scope = pod.scope();
      if (!jobPriorityClass.isEmpty()) { // Volcano's job controller gives every pod the job's priority class
        scope = new PodScope(scope.terminating(), scope.bestEffort(), jobPriorityClass,
            scope.crossNamespaceAffinity());
      }
      scopes.add(scope);
      PodAdmission.Checked checked = pods.check(pod, new ArrayList<>());
      if (checked.denial() != null) {
        return AdmissionDecision.deny(key + " task " + taskName + ": " + checked.denial());
      }
      if (checked.view() == null) {
        tasks.add(new Task(taskName, replicas, min, Map.of())); // asks no device, but is part of the gang
        continue;
      }
      try {
        tasks.add(new Task(taskName, replicas, min, DemandRule.podDemand(kinds, checked.view(), largest)));
      } catch (InvalidDemandException e) {
        return AdmissionDecision.deny(key + " task " + taskName + ": " + e.getMessage());
      }
    }
    if (policy.gangQuota() == AdmissionPolicy.GangQuota.OFF || tasks.stream().allMatch(t -> t.demand().isEmpty())) {
      return AdmissionDecision.UNCHANGED;
    }
    long jobMin = job.path("spec").path("minAvailable").asLong(0);
    if (jobMin <= 0) {
      jobMin = defaultJobMin;
    }
    long floors = defaultJobMin;
    if (jobMin < defaultJobMin) {
      // Volcano's gang skips the tasks' minimums when the job asks fewer pods than they sum to (CheckTaskValid)
      tasks.replaceAll(t -> new Task(t.name(), t.replicas(), 0, t.demand()));
      floors = 0;
    }
    Map<String, KindTotals> asked = gangDemand(tasks, jobMin - floors);
    boolean withUsage = policy.gangQuota() == AdmissionPolicy.GangQuota.USAGE;
    Optional<QuotaCheck.Breach> breach;
    try {
      // tasks that differ in what quota scopes see are held as one unknown scope: every quota counts the gang
      breach = cluster.quotaBreach(namespace, asked, withUsage,
          scopes.size() == 1 ? Optional.of(scopes.iterator().next()) : Optional.empty());
    } catch (InvalidDemandException e) {
      return AdmissionDecision.deny(key + ": " + e.getMessage());
    }
    if (breach.isEmpty()) {
      return AdmissionDecision.UNCHANGED;
    }
    QuotaCheck.Breach b = breach.get();
    String gang = "its gang (minAvailable " + jobMin + ": the pods Volcano must start together)";
    if (withUsage) {
      return AdmissionDecision.deny(key + ": " + gang + " does not fit the namespace's quota now: " + b.message());
    }
    return AdmissionDecision.deny(key + ": " + gang + " alone asks " + b.asked() + " of "
        + AdmissionContract.quotaKey(b.resource()) + ", more than resource quota " + b.quota() + " allows ("
        + b.allowed() + "): it could never start");
  }

  /** A task's {@code minAvailable}, defaulted as Volcano's job webhook does, within [0, replicas]. */
  private static long taskMin(JsonNode task, long replicas) {
    JsonNode min = task.path("minAvailable");
    long m;
    if (min.isIntegralNumber()) {
      m = min.asLong();
    } else {
      JsonNode partition = task.path("partitionPolicy");
      long minPartitions = partition.path("minPartitions").asLong(0);
      m = minPartitions > 0 ? minPartitions * partition.path("partitionSize").asLong(0) : replicas;
    }
    return Math.max(0, Math.min(m, replicas));
  }

  /** A pod of the task's template, as the job controller creates it (name and namespace set). */
  private static JsonNode podOf(JsonNode template, String namespace, String podName) {
    if (!template.isObject()) {
      throw new MalformedReviewException("template is not a pod template");
    }
    ObjectNode pod = NODES.objectNode();
    ObjectNode meta = template.path("metadata").isObject() ? ((ObjectNode) template.get("metadata")).deepCopy()
        : NODES.objectNode();
    meta.put("name", podName);
    meta.put("namespace", namespace);
    pod.set("metadata", meta);
    pod.set("spec", template.path("spec"));
    return pod;
  }

  /**
   * Per kind and dimension, the least a gang asks: every task's minimum pods, plus the {@code extra} cheapest other
   * pods (for that dimension) up to the job's minimum.
   */
  static Map<String, KindTotals> gangDemand(List<Task> tasks, long extra) {
    Map<String, KindTotals> out = new LinkedHashMap<>();
    List<String> kindNames = new ArrayList<>();
    for (Task t : tasks) {
      for (String k : t.demand().keySet()) {
        if (!kindNames.contains(k)) {
          kindNames.add(k);
        }
      }
    }
    for (String k : kindNames) {
      long[] least = new long[Dimension.values().length];
      for (Dimension d : Dimension.values()) {
        long sum = 0;
        for (Task t : tasks) {
          sum += t.min() * per(t, k, d);
        }
        long left = Math.max(0, extra);
        List<Task> cheapest = new ArrayList<>(tasks);
        cheapest.sort(Comparator.comparingLong(t -> per(t, k, d)));
        for (Task t : cheapest) {
          long take = Math.min(left, t.replicas() - t.min());
          sum += take * per(t, k, d);
          left -= take;
        }
        least[d.ordinal()] = sum;
      }
      KindTotals totals = new KindTotals(least[0], least[1], least[2]);
      if (!totals.equals(KindTotals.ZERO)) {
        out.put(k, totals);
      }
    }
    return out;
  }

  private static long per(Task t, String kind, Dimension d) {
    return t.demand().getOrDefault(kind, KindTotals.ZERO).of(d);
  }
}
