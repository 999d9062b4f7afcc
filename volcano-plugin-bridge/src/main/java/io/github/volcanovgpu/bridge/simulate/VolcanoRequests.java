package io.github.volcanovgpu.bridge.simulate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.github.volcanovgpu.bridge.extender.VolcanoWire;
import io.github.volcanovgpu.bridge.extender.VolcanoWire.Kube;
import io.github.volcanovgpu.bridge.extender.VolcanoWire.Node;
import io.github.volcanovgpu.bridge.extender.VolcanoWire.Request;
import io.github.volcanovgpu.bridge.extender.VolcanoWire.Task;
import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Volcano's side of the extender requests: encodes the bodies as Volcano's scheduler does (Go {@code encoding/json}
 * of its request structs, reference volcano-vgpu.md §2.3 and §2.5), so a client can play Volcano against the real
 * endpoint: the {@code simulate} command, tests and benchmarks. The sidecar's reader is the definition of what is
 * read; this stand-in writes the same member names ({@link VolcanoWire}) and the same shape as the bodies captured
 * from the real vc-scheduler (the test goldens pin every member list to them).
 *
 * <p>TaskInfo and NodeInfo carry every field of Volcano's structs in Go struct order (the v1.16 field set, as
 * captured), {@code Resource} as {@code {"MilliCPU", "Memory", "ScalarResources" (milli-units), "MaxTaskNum"}}, and
 * the full Kubernetes Pod and Node JSON with metadata, spec and status. What the model records do not hold (images,
 * volumes, conditions, IPs, timestamps, labels) is filled with realistic, deterministic values derived from the
 * object names, so equal inputs give equal bytes. Everything the sidecar reads (names, UIDs, annotations, container
 * resources, node allocatable, phase, task status) is written exactly as given: {@code read(encode(x))} gives
 * {@code x} back.
 *
 * <p>Thread-safe.
 */
public final class VolcanoRequests {
  private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_INSTANT;
  private static final String QUEUE = "default";

  /** How much of each Kubernetes Pod is written. */
  public enum PodDetail {
    /**
     * A small pod as a plain manifest gives (no service-account volume, no env), with the status fields of a
     * started pod but no conditions or container statuses: about 1.8 KB per TaskInfo, so an 8-GPU node with 40
     * pods is about 74 KB in a predicate body.
     */
    SMALL,
    /**
     * What the informer holds for a running pod of a Volcano job: service-account volume and mounts, env,
     * tolerations, conditions and container statuses: about 4 KB per TaskInfo.
     */
    FULL
  }

  private final JsonFactory json = new JsonFactory();
  private final Instant now;
  private final PodDetail detail;

  /**
   * @param now the "current" time written into timestamps (creation, heartbeats, start times)
   * @param detail how much of each pod to write
   */
  public VolcanoRequests(Instant now, PodDetail detail) {
    this.now = Objects.requireNonNull(now, "now").truncatedTo(ChronoUnit.SECONDS);
    this.detail = Objects.requireNonNull(detail, "detail");
  }

  /** Small pods ({@link PodDetail#SMALL}). */
  public VolcanoRequests(Instant now) {
    this(now, PodDetail.SMALL);
  }

  // ------------------------------------------------------------------------------------------------ verbs

  /** {@code {"task": TaskInfo, "node": NodeInfo}}. */
  public byte[] predicate(TaskView task, NodeView node) {
    return write(g -> {
      g.writeStartObject();
      g.writeFieldName(Request.TASK);
      writeTaskInfo(g, task);
      g.writeFieldName(Request.NODE);
      writeNodeInfo(g, node);
      g.writeEndObject();
    });
  }

  /** {@code {"task": TaskInfo, "nodes": [NodeInfo...]}}. */
  public byte[] prioritize(TaskView task, List<NodeView> nodes) {
    return write(g -> {
      g.writeStartObject();
      g.writeFieldName(Request.TASK);
      writeTaskInfo(g, task);
      g.writeArrayFieldStart(Request.NODES);
      for (NodeView n : nodes) {
        writeNodeInfo(g, n);
      }
      g.writeEndArray();
      g.writeEndObject();
    });
  }

  /**
   * preemptable / reclaimable ({@code PreemptableRequest}, {@code ReclaimableRequest}): {@code {"evictor":
   * TaskInfo, "evictees": [TaskInfo...]}}; the evictees carry their node and status Running.
   */
  public byte[] eviction(TaskView evictor, List<TaskView> evictees) {
    return write(g -> {
      g.writeStartObject();
      g.writeFieldName(Request.EVICTOR);
      writeTaskInfo(g, evictor);
      g.writeArrayFieldStart(Request.EVICTEES);
      for (TaskView t : evictees) {
        writeTaskInfo(g, t);
      }
      g.writeEndArray();
      g.writeEndObject();
    });
  }

  /** allocateFunc: {@code {"task": TaskInfo}}; the task should carry its node and status Allocated/Pipelined. */
  public byte[] allocate(TaskView task) {
    return eventBody(task);
  }

  /** deallocateFunc: {@code {"task": TaskInfo}}. */
  public byte[] deallocate(TaskView task) {
    return eventBody(task);
  }

  /**
   * The session snapshot {@code {"Jobs", "Nodes", "Queues", "NamespaceInfo", "RevocableNodes", "NodeList"}} (no
   * json tags on Volcano's struct, hence the capitalised keys). Jobs are built from the tasks, grouped by pod group.
   */
  public byte[] onSessionOpen(List<TaskView> tasks, List<NodeView> nodes) {
    return write(g -> {
      g.writeStartObject();
      g.writeObjectFieldStart("Jobs");
      Map<String, List<TaskView>> jobs = new TreeMap<>();
      for (TaskView t : tasks) {
        jobs.computeIfAbsent(jobKey(t.pod()), k -> new ArrayList<>()).add(t);
      }
      for (Map.Entry<String, List<TaskView>> e : jobs.entrySet()) {
        g.writeFieldName(e.getKey()); // JobID: <namespace>/<podgroup>
        writeJobInfo(g, e.getKey(), e.getValue());
      }
      g.writeEndObject();
      g.writeObjectFieldStart(Request.SESSION_NODES);
      for (NodeView n : nodes) {
        g.writeFieldName(n.name());
        writeNodeInfo(g, n);
      }
      g.writeEndObject();
      g.writeObjectFieldStart("Queues");
      g.writeFieldName(QUEUE);
      writeQueueInfo(g);
      g.writeEndObject();
      g.writeObjectFieldStart("NamespaceInfo");
      for (String ns : new java.util.TreeSet<>(tasks.stream().map(t -> t.pod().namespace()).toList())) {
        g.writeObjectFieldStart(ns);
        g.writeStringField("Name", ns);
        g.writeObjectFieldStart("QuotaStatus");
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndObject();
      g.writeObjectFieldStart("RevocableNodes");
      g.writeEndObject();
      g.writeNullField("NodeList");
      g.writeEndObject();
    });
  }

  /** {@code {}}. */
  public byte[] onSessionClose() {
    return "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private byte[] eventBody(TaskView task) {
    return write(g -> {
      g.writeStartObject();
      g.writeFieldName(Request.TASK);
      writeTaskInfo(g, task);
      g.writeEndObject();
    });
  }

  // -------------------------------------------------------------------------------------------- TaskInfo

  private void writeTaskInfo(JsonGenerator g, TaskView task) throws IOException {
    writeTaskInfo(g, task.pod(), task.status(), task.nodeName(), task.podAnnotations());
  }

  private void writeTaskInfo(JsonGenerator g, PodView pod, int status, String nodeName,
      Map<String, String> podAnnotations) throws IOException {
    Resources req = Resources.ofContainers(pod.containers());
    Resources init = req.max(Resources.maxOf(pod.initContainers()));
    g.writeStartObject();
    g.writeStringField(Task.UID, pod.uid());
    g.writeStringField("Job", jobKey(pod));
    g.writeStringField(Task.NAME, pod.name());
    g.writeStringField(Task.NAMESPACE, pod.namespace());
    g.writeStringField("TaskRole", taskRole(pod));
    g.writeFieldName("Resreq");
    req.write(g);
    g.writeFieldName("InitResreq");
    init.write(g);
    g.writeNullField("DRAResreq");
    g.writeNullField("ResourceClaimKeys");
    g.writeNullField("ResourceClaimDRAResreq");
    g.writeStringField(Task.NODE_NAME, nodeName);
    g.writeBooleanField("EvictionOccurred", false);
    g.writeStringField("JobAllocatedHyperNode", "");
    g.writeNumberField(Task.STATUS, status);
    g.writeNullField("LastTransaction");
    g.writeNumberField("Priority", 0);
    g.writeBooleanField("VolumeReady", false);
    g.writeBooleanField("Preemptable", false);
    g.writeBooleanField("BestEffort", req.isEmpty());
    g.writeBooleanField("HasRestartableInitContainer", false);
    g.writeBooleanField("SchGated", false);
    g.writeStringField("RevocableZone", "");
    g.writeObjectFieldStart("NumaInfo");
    g.writeStringField("Policy", "");
    g.writeObjectFieldStart("ResMap");
    g.writeEndObject();
    g.writeEndObject();
    g.writeFieldName(Task.POD);
    writePod(g, pod);
    writeStringMapOrNull(g, Task.POD_ANNOTATIONS, podAnnotations);
    g.writeBooleanField("CustomBindErrHandlerSucceeded", false);
    g.writeEndObject();
  }

  private void writePod(JsonGenerator g, PodView pod) throws IOException {
    boolean full = detail == PodDetail.FULL;
    String job = jobName(pod);
    String volume = "kube-api-access-" + suffix(pod.uid(), 5);
    g.writeStartObject();
    g.writeObjectFieldStart(Kube.METADATA);
    g.writeStringField(Kube.NAME, pod.name());
    g.writeStringField(Kube.NAMESPACE, pod.namespace());
    g.writeStringField(Kube.UID, pod.uid());
    if (!pod.resourceVersion().isEmpty()) {
      g.writeStringField(Kube.RESOURCE_VERSION, pod.resourceVersion());
    }
    g.writeStringField("creationTimestamp", time(-3600));
    if (full) {
      g.writeObjectFieldStart("labels");
      g.writeStringField("volcano.sh/job-name", job);
      g.writeStringField("volcano.sh/job-namespace", pod.namespace());
      g.writeStringField("volcano.sh/queue-name", QUEUE);
      g.writeStringField("volcano.sh/task-spec", taskRole(pod));
      g.writeEndObject();
    }
    if (!pod.annotations().isEmpty()) {
      writeStringMap(g, Kube.ANNOTATIONS, pod.annotations());
    }
    if (full) {
      writeOwner(g, pod, job);
    }
    g.writeEndObject();

    g.writeObjectFieldStart(Kube.SPEC);
    if (full) {
      g.writeArrayFieldStart("volumes");
      writeServiceAccountVolume(g, volume);
      g.writeEndArray();
    }
    if (!pod.initContainers().isEmpty()) {
      g.writeArrayFieldStart(Kube.INIT_CONTAINERS);
      for (ContainerView c : pod.initContainers()) {
        writeContainer(g, c, full ? volume : null, true);
      }
      g.writeEndArray();
    }
    g.writeArrayFieldStart(Kube.CONTAINERS);
    for (ContainerView c : pod.containers()) {
      writeContainer(g, c, full ? volume : null, false);
    }
    g.writeEndArray();
    g.writeStringField("restartPolicy", "OnFailure");
    if (full) {
      g.writeNumberField("terminationGracePeriodSeconds", 30);
      g.writeStringField("dnsPolicy", "ClusterFirst");
      g.writeStringField("serviceAccountName", "default");
      g.writeStringField("serviceAccount", "default");
    }
    if (!pod.nodeName().isEmpty()) {
      g.writeStringField(Kube.NODE_NAME, pod.nodeName());
    }
    g.writeStringField("schedulerName", "volcano");
    if (full) {
      g.writeObjectFieldStart("securityContext");
      g.writeEndObject();
      g.writeArrayFieldStart("tolerations");
      writeToleration(g, "node.kubernetes.io/not-ready");
      writeToleration(g, "node.kubernetes.io/unreachable");
      g.writeEndArray();
      g.writeNumberField("priority", 0);
      g.writeBooleanField("enableServiceLinks", true);
      g.writeStringField("preemptionPolicy", "PreemptLowerPriority");
    }
    g.writeEndObject();

    g.writeObjectFieldStart(Kube.STATUS);
    String phase = pod.phase();
    if (!phase.isEmpty()) {
      g.writeStringField(Kube.PHASE, phase);
    }
    boolean running = phase.equals("Running");
    if (full) {
      g.writeArrayFieldStart("conditions");
      if (pod.nodeName().isEmpty()) {
        writeCondition(g, "PodScheduled", "False", "Unschedulable", "0/16 nodes are available: 16 node(s) were "
            + "unschedulable.");
      } else {
        writeCondition(g, "Initialized", "True", null, null);
        writeCondition(g, "Ready", running ? "True" : "False", running ? null : "ContainersNotReady", null);
        writeCondition(g, "ContainersReady", running ? "True" : "False", running ? null : "ContainersNotReady",
            null);
        writeCondition(g, "PodScheduled", "True", null, null);
      }
      g.writeEndArray();
    }
    if (!pod.nodeName().isEmpty()) {
      String hostIp = ip("10.0", pod.nodeName());
      String podIp = ip("10.244", pod.uid());
      g.writeStringField("hostIP", hostIp);
      if (full) {
        g.writeArrayFieldStart("hostIPs");
        g.writeStartObject();
        g.writeStringField("ip", hostIp);
        g.writeEndObject();
        g.writeEndArray();
      }
      g.writeStringField("podIP", podIp);
      if (full) {
        g.writeArrayFieldStart("podIPs");
        g.writeStartObject();
        g.writeStringField("ip", podIp);
        g.writeEndObject();
        g.writeEndArray();
      }
      g.writeStringField("startTime", time(-3500));
      if (full) {
        writeContainerStatuses(g, pod, running);
      }
    }
    g.writeStringField("qosClass", "Burstable");
    g.writeEndObject();
    g.writeEndObject();
  }

  private static void writeOwner(JsonGenerator g, PodView pod, String job) throws IOException {
    g.writeArrayFieldStart("ownerReferences");
    g.writeStartObject();
    g.writeStringField("apiVersion", "batch.volcano.sh/v1alpha1");
    g.writeStringField("kind", "Job");
    g.writeStringField("name", job);
    g.writeStringField("uid", uuid("vcjob/" + pod.namespace() + "/" + job));
    g.writeBooleanField("controller", true);
    g.writeBooleanField("blockOwnerDeletion", true);
    g.writeEndObject();
    g.writeEndArray();
  }

  private void writeContainerStatuses(JsonGenerator g, PodView pod, boolean running) throws IOException {
    g.writeArrayFieldStart("containerStatuses");
    for (ContainerView c : pod.containers()) {
      g.writeStartObject();
      g.writeStringField("name", c.name());
      g.writeObjectFieldStart("state");
      if (running) {
        g.writeObjectFieldStart("running");
        g.writeStringField("startedAt", time(-3490));
        g.writeEndObject();
      } else {
        g.writeObjectFieldStart("waiting");
        g.writeStringField("reason", "ContainerCreating");
        g.writeEndObject();
      }
      g.writeEndObject();
      g.writeObjectFieldStart("lastState");
      g.writeEndObject();
      g.writeBooleanField("ready", running);
      g.writeNumberField("restartCount", 0);
      g.writeStringField("image", image(c));
      g.writeStringField("imageID", "nvcr.io/nvidia/pytorch@sha256:" + hex(c.name() + pod.uid(), 64));
      g.writeStringField("containerID", "containerd://" + hex(pod.uid() + c.name(), 64));
      g.writeBooleanField("started", running);
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void writeServiceAccountVolume(JsonGenerator g, String volume) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", volume);
    g.writeObjectFieldStart("projected");
    g.writeArrayFieldStart("sources");
    g.writeStartObject();
    g.writeObjectFieldStart("serviceAccountToken");
    g.writeNumberField("expirationSeconds", 3607);
    g.writeStringField("path", "token");
    g.writeEndObject();
    g.writeEndObject();
    g.writeStartObject();
    g.writeObjectFieldStart("configMap");
    g.writeStringField("name", "kube-root-ca.crt");
    g.writeArrayFieldStart("items");
    g.writeStartObject();
    g.writeStringField("key", "ca.crt");
    g.writeStringField("path", "ca.crt");
    g.writeEndObject();
    g.writeEndArray();
    g.writeEndObject();
    g.writeEndObject();
    g.writeStartObject();
    g.writeObjectFieldStart("downwardAPI");
    g.writeArrayFieldStart("items");
    g.writeStartObject();
    g.writeStringField("path", "namespace");
    g.writeObjectFieldStart("fieldRef");
    g.writeStringField("apiVersion", "v1");
    g.writeStringField("fieldPath", "metadata.namespace");
    g.writeEndObject();
    g.writeEndObject();
    g.writeEndArray();
    g.writeEndObject();
    g.writeEndObject();
    g.writeEndArray();
    g.writeNumberField("defaultMode", 420);
    g.writeEndObject();
    g.writeEndObject();
  }

  private static void writeContainer(JsonGenerator g, ContainerView c, @Nullable String volume, boolean init)
      throws IOException {
    g.writeStartObject();
    g.writeStringField(Kube.NAME, c.name());
    g.writeStringField("image", image(c));
    if (volume != null) {
      g.writeArrayFieldStart("command");
      g.writeString(init ? "sh" : "python");
      g.writeString(init ? "-c" : "train.py");
      g.writeString(init ? "until nslookup $(MASTER_ADDR); do sleep 2; done" : "--epochs=10");
      g.writeEndArray();
      g.writeArrayFieldStart("env");
      g.writeStartObject();
      g.writeStringField("name", "NCCL_DEBUG");
      g.writeStringField("value", "INFO");
      g.writeEndObject();
      g.writeEndArray();
    }
    g.writeObjectFieldStart(Kube.RESOURCES);
    if (!c.limits().isEmpty()) {
      writeStringMap(g, Kube.LIMITS, c.limits());
    }
    if (!c.requests().isEmpty()) {
      writeStringMap(g, Kube.REQUESTS, c.requests());
    }
    g.writeEndObject();
    if (volume != null) {
      g.writeArrayFieldStart("volumeMounts");
      g.writeStartObject();
      g.writeStringField("name", volume);
      g.writeBooleanField("readOnly", true);
      g.writeStringField("mountPath", "/var/run/secrets/kubernetes.io/serviceaccount");
      g.writeEndObject();
      g.writeEndArray();
    }
    if (volume != null) {
      g.writeStringField("terminationMessagePath", "/dev/termination-log");
      g.writeStringField("terminationMessagePolicy", "File");
      g.writeStringField("imagePullPolicy", "IfNotPresent");
    }
    g.writeEndObject();
  }

  private static void writeToleration(JsonGenerator g, String key) throws IOException {
    g.writeStartObject();
    g.writeStringField("key", key);
    g.writeStringField("operator", "Exists");
    g.writeStringField("effect", "NoExecute");
    g.writeNumberField("tolerationSeconds", 300);
    g.writeEndObject();
  }

  private void writeCondition(JsonGenerator g, String type, String status, @Nullable String reason,
      @Nullable String message)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("type", type);
    g.writeStringField("status", status);
    g.writeNullField("lastProbeTime");
    g.writeStringField("lastTransitionTime", time(-3400));
    if (reason != null) {
      g.writeStringField("reason", reason);
    }
    if (message != null) {
      g.writeStringField("message", message);
    }
    g.writeEndObject();
  }

  // -------------------------------------------------------------------------------------------- NodeInfo

  private void writeNodeInfo(JsonGenerator g, NodeView node) throws IOException {
    Resources allocatable = Resources.ofList(node.allocatable());
    Resources used = Resources.NONE;
    for (PodView p : node.pods()) {
      if (!p.isTerminated()) {
        used = used.plus(Resources.ofContainers(p.containers()));
      }
    }
    g.writeStartObject();
    g.writeStringField(Node.NAME, node.name());
    g.writeFieldName(Node.NODE);
    writeNode(g, node);
    g.writeObjectFieldStart("State");
    g.writeNumberField("Phase", 1);
    g.writeStringField("Reason", "");
    g.writeEndObject();
    g.writeFieldName("Releasing");
    Resources.NONE.write(g);
    g.writeFieldName("Pipelined");
    Resources.NONE.write(g);
    g.writeFieldName("Idle");
    allocatable.minus(used).write(g);
    g.writeFieldName("Used");
    used.write(g);
    g.writeFieldName("Allocatable");
    allocatable.write(g);
    g.writeFieldName("Capacity");
    allocatable.write(g);
    g.writeObjectFieldStart("ResourceUsage");
    g.writeStringField("MetricsTime", "0001-01-01T00:00:00Z");
    g.writeObjectFieldStart("CPUUsageAvg");
    g.writeEndObject();
    g.writeObjectFieldStart("MEMUsageAvg");
    g.writeEndObject();
    g.writeEndObject();
    g.writeObjectFieldStart(Node.TASKS);
    for (PodView p : node.pods()) {
      g.writeFieldName(p.uid());
      writeTaskInfo(g, p, statusOf(p), p.nodeName().isEmpty() ? node.name() : p.nodeName(), Map.of());
    }
    g.writeEndObject();
    g.writeNullField("NumaInfo");
    g.writeNullField("UnassignedNumaPods");
    g.writeNullField("NumaSchedulerInfo");
    g.writeStringField("RevocableZone", "");
    g.writeObjectFieldStart("Others");
    g.writeEndObject();
    g.writeBooleanField("OversubscriptionNode", false);
    g.writeBooleanField("OfflineJobEvicting", false);
    g.writeFieldName("OversubscriptionResource");
    Resources.NONE.write(g);
    g.writeObjectFieldStart("ImageStates");
    for (String image : IMAGES) {
      g.writeObjectFieldStart(image);
      g.writeNumberField("Size", 8_000_000_000L + (image.length() * 7_919L));
      g.writeNumberField("NumNodes", 16);
      g.writeEndObject();
    }
    g.writeEndObject();
    g.writeNumberField("Generation", 1 + node.pods().size());
    g.writeNumberField("BindGeneration", 0);
    g.writeEndObject();
  }

  private static final List<String> IMAGES =
      List.of(
          "nvcr.io/nvidia/pytorch:24.05-py3",
          "nvcr.io/nvidia/tensorflow:24.05-tf2-py3",
          "docker.io/projecthami/volcano-vgpu-device-plugin:v1.12.0",
          "registry.k8s.io/kube-proxy:v1.30.2",
          "docker.io/calico/node:v3.28.0");

  private void writeNode(JsonGenerator g, NodeView node) throws IOException {
    g.writeStartObject();
    g.writeObjectFieldStart(Kube.METADATA);
    g.writeStringField(Kube.NAME, node.name());
    g.writeStringField("uid", uuid("node/" + node.name()));
    g.writeStringField("resourceVersion", Integer.toString(1000 + (node.name().hashCode() & 0xffff)));
    g.writeStringField("creationTimestamp", time(-86_400 * 30));
    g.writeObjectFieldStart("labels");
    g.writeStringField("beta.kubernetes.io/arch", "amd64");
    g.writeStringField("beta.kubernetes.io/os", "linux");
    g.writeStringField("kubernetes.io/arch", "amd64");
    g.writeStringField("kubernetes.io/hostname", node.name());
    g.writeStringField("kubernetes.io/os", "linux");
    g.writeStringField("node.kubernetes.io/instance-type", "gpu-8x");
    g.writeStringField("nvidia.com/gpu.present", "true");
    g.writeEndObject();
    if (!node.annotations().isEmpty()) {
      writeStringMap(g, Kube.ANNOTATIONS, node.annotations());
    }
    g.writeEndObject();
    g.writeObjectFieldStart("spec");
    String cidr = ip("10.244", node.name()).replaceAll("\\.\\d+$", ".0") + "/24";
    g.writeStringField("podCIDR", cidr);
    g.writeArrayFieldStart("podCIDRs");
    g.writeString(cidr);
    g.writeEndArray();
    g.writeEndObject();
    g.writeObjectFieldStart(Kube.STATUS);
    writeStringMap(g, "capacity", node.allocatable());
    writeStringMap(g, Kube.ALLOCATABLE, node.allocatable());
    g.writeArrayFieldStart("conditions");
    writeNodeCondition(g, "MemoryPressure", "False", "KubeletHasSufficientMemory",
        "kubelet has sufficient memory available");
    writeNodeCondition(g, "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure");
    writeNodeCondition(g, "PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available");
    writeNodeCondition(g, "Ready", "True", "KubeletReady", "kubelet is posting ready status");
    g.writeEndArray();
    g.writeArrayFieldStart("addresses");
    g.writeStartObject();
    g.writeStringField("type", "InternalIP");
    g.writeStringField("address", ip("10.0", node.name()));
    g.writeEndObject();
    g.writeStartObject();
    g.writeStringField("type", "Hostname");
    g.writeStringField("address", node.name());
    g.writeEndObject();
    g.writeEndArray();
    g.writeObjectFieldStart("daemonEndpoints");
    g.writeObjectFieldStart("kubeletEndpoint");
    g.writeNumberField("Port", 10250);
    g.writeEndObject();
    g.writeEndObject();
    g.writeObjectFieldStart("nodeInfo");
    g.writeStringField("machineID", hex("machine/" + node.name(), 32));
    g.writeStringField("systemUUID", uuid("system/" + node.name()));
    g.writeStringField("bootID", uuid("boot/" + node.name()));
    g.writeStringField("kernelVersion", "5.15.0-113-generic");
    g.writeStringField("osImage", "Ubuntu 22.04.4 LTS");
    g.writeStringField("containerRuntimeVersion", "containerd://1.7.18");
    g.writeStringField("kubeletVersion", "v1.30.2");
    g.writeStringField("kubeProxyVersion", "v1.30.2");
    g.writeStringField("operatingSystem", "linux");
    g.writeStringField("architecture", "amd64");
    g.writeEndObject();
    g.writeArrayFieldStart("images");
    for (String image : detail == PodDetail.FULL ? IMAGES : IMAGES.subList(0, 2)) {
      g.writeStartObject();
      g.writeArrayFieldStart("names");
      g.writeString(image.replaceAll(":.*$", "") + "@sha256:" + hex(image, 64));
      g.writeString(image);
      g.writeEndArray();
      g.writeNumberField("sizeBytes", 8_000_000_000L + (image.length() * 7_919L));
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
    g.writeEndObject();
  }

  private void writeNodeCondition(JsonGenerator g, String type, String status, String reason, String message)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("type", type);
    g.writeStringField("status", status);
    g.writeStringField("lastHeartbeatTime", time(-20));
    g.writeStringField("lastTransitionTime", time(-86_400 * 30));
    g.writeStringField("reason", reason);
    g.writeStringField("message", message);
    g.writeEndObject();
  }

  // ------------------------------------------------------------------------------------- Job and Queue

  private void writeJobInfo(JsonGenerator g, String jobKey, List<TaskView> tasks) throws IOException {
    PodView first = tasks.get(0).pod();
    String pgName = jobKey.substring(jobKey.indexOf('/') + 1);
    Resources total = Resources.NONE;
    for (TaskView t : tasks) {
      total = total.plus(Resources.ofContainers(t.pod().containers()));
    }
    g.writeStartObject();
    g.writeStringField("UID", jobKey);
    g.writeStringField("PgUID", uuid("podgroup/" + jobKey));
    g.writeStringField("Name", pgName);
    g.writeStringField("Namespace", first.namespace());
    g.writeStringField("Queue", QUEUE);
    g.writeNumberField("Priority", 0);
    g.writeNumberField("MinAvailable", tasks.size());
    g.writeNullField("WaitingTime");
    g.writeStringField("JobFitErrors", "");
    g.writeObjectFieldStart("NodesFitErrors");
    g.writeEndObject();
    g.writeStringField("AllocatedHyperNode", "");
    g.writeNullField("NetworkTopology");
    // Volcano 1.16 keeps each job's tasks in one sub-job of the job's own ID as well
    g.writeObjectFieldStart("SubJobs");
    g.writeObjectFieldStart(jobKey);
    g.writeStringField("GID", jobKey);
    g.writeStringField("UID", jobKey);
    g.writeStringField("Job", jobKey);
    g.writeNumberField("MinAvailable", tasks.size());
    g.writeNumberField("Priority", 0);
    g.writeNumberField("MatchIndex", 0);
    writeTasks(g, tasks);
    writeTaskStatusIndex(g, tasks);
    g.writeStringField("AllocatedHyperNode", "");
    g.writeStringField("NominatedHyperNode", "");
    g.writeNullField("NetworkTopology");
    g.writeEndObject();
    g.writeEndObject();
    g.writeObjectFieldStart("TaskToSubJob");
    for (TaskView t : tasks) {
      g.writeStringField(t.pod().uid(), jobKey);
    }
    g.writeEndObject();
    g.writeObjectFieldStart("MinSubJobs");
    g.writeEndObject();
    writeTaskStatusIndex(g, tasks);
    writeTasks(g, tasks);
    g.writeObjectFieldStart("TaskMinAvailable");
    g.writeNumberField(taskRole(first), tasks.size());
    g.writeEndObject();
    g.writeNumberField("TaskMinAvailableTotal", tasks.size());
    g.writeFieldName("Allocated");
    Resources.NONE.write(g);
    g.writeFieldName("TotalRequest");
    total.write(g);
    g.writeStringField("CreationTimestamp", time(-3600));
    g.writeObjectFieldStart("PodGroup");
    g.writeObjectFieldStart("metadata");
    g.writeStringField("name", pgName);
    g.writeStringField("namespace", first.namespace());
    g.writeStringField("uid", uuid("podgroup/" + jobKey));
    g.writeStringField("creationTimestamp", time(-3600));
    g.writeEndObject();
    g.writeObjectFieldStart("spec");
    g.writeNumberField("minMember", tasks.size());
    g.writeStringField("queue", QUEUE);
    g.writeEndObject();
    g.writeObjectFieldStart("status");
    g.writeStringField("phase", "Inqueue");
    g.writeEndObject();
    g.writeStringField("Version", "v1beta1");
    g.writeEndObject();
    g.writeStringField("ScheduleStartTimestamp", time(-5));
    g.writeBooleanField("Preemptable", false);
    g.writeStringField("RevocableZone", "");
    g.writeObjectFieldStart("Budget");
    g.writeStringField("MinAvailable", "");
    g.writeStringField("MaxUnavailable", "");
    g.writeEndObject();
    g.writeEndObject();
  }

  /** {@code "Tasks": {uid: TaskInfo}}. */
  private void writeTasks(JsonGenerator g, List<TaskView> tasks) throws IOException {
    g.writeObjectFieldStart("Tasks");
    for (TaskView t : tasks) {
      g.writeFieldName(t.pod().uid());
      writeTaskInfo(g, t);
    }
    g.writeEndObject();
  }

  /** {@code "TaskStatusIndex": {status: {uid: TaskInfo}}}. */
  private void writeTaskStatusIndex(JsonGenerator g, List<TaskView> tasks) throws IOException {
    g.writeObjectFieldStart("TaskStatusIndex");
    Map<Integer, List<TaskView>> byStatus = new TreeMap<>();
    for (TaskView t : tasks) {
      byStatus.computeIfAbsent(t.status(), k -> new ArrayList<>()).add(t);
    }
    for (Map.Entry<Integer, List<TaskView>> e : byStatus.entrySet()) {
      g.writeObjectFieldStart(Integer.toString(e.getKey()));
      for (TaskView t : e.getValue()) {
        g.writeFieldName(t.pod().uid());
        writeTaskInfo(g, t);
      }
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private void writeQueueInfo(JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeStringField("UID", QUEUE);
    g.writeStringField("Name", QUEUE);
    g.writeNumberField("Weight", 1);
    g.writeStringField("Weights", "");
    g.writeStringField("Hierarchy", "");
    g.writeObjectFieldStart("Queue");
    g.writeObjectFieldStart("metadata");
    g.writeStringField("name", QUEUE);
    g.writeStringField("uid", uuid("queue/" + QUEUE));
    g.writeStringField("creationTimestamp", time(-86_400 * 30));
    g.writeEndObject();
    g.writeObjectFieldStart("spec");
    g.writeNumberField("weight", 1);
    g.writeBooleanField("reclaimable", true);
    g.writeObjectFieldStart("guarantee");
    g.writeEndObject();
    g.writeStringField("dequeueStrategy", "traverse");
    g.writeEndObject();
    g.writeObjectFieldStart("status");
    g.writeStringField("state", "Open");
    g.writeObjectFieldStart("reservation");
    g.writeEndObject();
    g.writeEndObject();
    g.writeEndObject();
    g.writeEndObject();
  }

  // ---------------------------------------------------------------------------------------------- helpers

  /** TaskInfo.Status of a pod shown on a node. */
  private static int statusOf(PodView pod) {
    return switch (pod.phase()) {
      case "Running" -> TaskStatus.RUNNING;
      case "Succeeded" -> TaskStatus.SUCCEEDED;
      case "Failed" -> TaskStatus.FAILED;
      case "Unknown" -> TaskStatus.UNKNOWN;
      default -> pod.nodeName().isEmpty() ? TaskStatus.PENDING : TaskStatus.BOUND;
    };
  }

  /** {@code <namespace>/<podgroup>} as Volcano's TaskInfo.Job. */
  private static String jobKey(PodView pod) {
    String group = pod.annotations().get("scheduling.k8s.io/group-name");
    if (group == null) {
      group = pod.annotations().get("scheduling.volcano.sh/group-name");
    }
    return pod.namespace() + "/" + (group != null ? group : jobName(pod));
  }

  /** The vcjob name: the pod name without Volcano's {@code -<task>-<index>} suffix. */
  private static String jobName(PodView pod) {
    String name = pod.name();
    int last = name.lastIndexOf('-');
    if (last > 0 && name.substring(last + 1).chars().allMatch(Character::isDigit)) {
      int task = name.lastIndexOf('-', last - 1);
      if (task > 0) {
        return name.substring(0, task);
      }
    }
    return name;
  }

  private static String taskRole(PodView pod) {
    String name = pod.name();
    int last = name.lastIndexOf('-');
    if (last > 0 && name.substring(last + 1).chars().allMatch(Character::isDigit)) {
      int task = name.lastIndexOf('-', last - 1);
      if (task > 0) {
        return name.substring(task + 1, last);
      }
    }
    return "worker";
  }

  private static String image(ContainerView c) {
    return c.name().startsWith("init") ? "docker.io/library/busybox:1.36" : IMAGES.get(0);
  }

  private String time(long offsetSeconds) {
    return RFC3339.format(now.plusSeconds(offsetSeconds));
  }

  private static String uuid(String seed) {
    return UUID.nameUUIDFromBytes(seed.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
  }

  private static String hex(String seed, int length) {
    StringBuilder sb = new StringBuilder(length);
    int i = 0;
    while (sb.length() < length) {
      sb.append(uuid(seed + "#" + i++).replace("-", ""));
    }
    return sb.substring(0, length);
  }

  private static String suffix(String seed, int length) {
    String alphabet = "bcdfghjklmnpqrstvwxz2456789";
    int h = seed.hashCode();
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(alphabet.charAt(Math.floorMod(h, alphabet.length())));
      h = h * 31 + 17;
    }
    return sb.toString();
  }

  private static String ip(String prefix, String seed) {
    int h = seed.hashCode();
    return prefix + "." + ((h >>> 8) & 0xff) + "." + (1 + ((h & 0xff) % 254));
  }

  private static void writeStringMap(JsonGenerator g, String field, Map<String, String> map) throws IOException {
    g.writeObjectFieldStart(field);
    // Go writes map keys sorted
    for (Map.Entry<String, String> e : new TreeMap<>(map).entrySet()) {
      g.writeStringField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
  }

  private static void writeStringMapOrNull(JsonGenerator g, String field, Map<String, String> map)
      throws IOException {
    if (map.isEmpty()) {
      g.writeNullField(field);
    } else {
      writeStringMap(g, field, map);
    }
  }

  @FunctionalInterface
  private interface JsonWriting {
    void write(JsonGenerator g) throws IOException;
  }

  private byte[] write(JsonWriting writing) {
    ByteArrayBuilder out = new ByteArrayBuilder(16 * 1024);
    try (JsonGenerator g = json.createGenerator(out)) {
      writing.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  // --------------------------------------------------------------------------------------------- Resource

  /**
   * Volcano's {@code api.Resource}: MilliCPU, Memory (bytes), scalar resources in milli-units, MaxTaskNum. Values
   * are written as Go writes float64 (integral values without a fraction or exponent).
   */
  private record Resources(double milliCpu, double memory, Map<String, Double> scalars, int maxTaskNum) {
    static final Resources NONE = new Resources(0, 0, Map.of(), 0);

    /** Requests of the containers (limits where a request is not given, as the API server defaults them). */
    static Resources ofContainers(List<ContainerView> containers) {
      Resources r = NONE;
      for (ContainerView c : containers) {
        Map<String, String> effective = new LinkedHashMap<>(c.limits());
        effective.putAll(c.requests());
        r = r.plus(ofList(effective));
      }
      return r;
    }

    static Resources maxOf(List<ContainerView> containers) {
      Resources r = NONE;
      for (ContainerView c : containers) {
        r = r.max(ofContainers(List.of(c)));
      }
      return r;
    }

    static Resources ofList(Map<String, String> list) {
      double cpu = 0;
      double mem = 0;
      int pods = 0;
      Map<String, Double> scalars = new TreeMap<>();
      for (Map.Entry<String, String> e : list.entrySet()) {
        BigDecimal v = quantity(e.getValue());
        if (v == null) {
          continue;
        }
        switch (e.getKey()) {
          case "cpu" -> cpu += v.movePointRight(3).doubleValue();
          case "memory" -> mem += v.doubleValue();
          case "pods" -> pods += v.intValue();
          default -> {
            if (e.getKey().contains("/") || e.getKey().startsWith("hugepages-")) {
              scalars.merge(e.getKey(), v.movePointRight(3).doubleValue(), Double::sum);
            }
          }
        }
      }
      return new Resources(cpu, mem, scalars, pods);
    }

    boolean isEmpty() {
      return milliCpu == 0 && memory == 0 && scalars.isEmpty();
    }

    Resources plus(Resources o) {
      Map<String, Double> s = new TreeMap<>(scalars);
      o.scalars.forEach((k, v) -> s.merge(k, v, Double::sum));
      return new Resources(milliCpu + o.milliCpu, memory + o.memory, s, maxTaskNum + o.maxTaskNum);
    }

    Resources minus(Resources o) {
      Map<String, Double> s = new TreeMap<>(scalars);
      o.scalars.forEach((k, v) -> s.merge(k, -v, Double::sum));
      s.replaceAll((k, v) -> Math.max(0, v));
      return new Resources(Math.max(0, milliCpu - o.milliCpu), Math.max(0, memory - o.memory), s,
          Math.max(0, maxTaskNum - o.maxTaskNum));
    }

    Resources max(Resources o) {
      Map<String, Double> s = new TreeMap<>(scalars);
      o.scalars.forEach((k, v) -> s.merge(k, v, Math::max));
      return new Resources(Math.max(milliCpu, o.milliCpu), Math.max(memory, o.memory), s,
          Math.max(maxTaskNum, o.maxTaskNum));
    }

    void write(JsonGenerator g) throws IOException {
      g.writeStartObject();
      g.writeFieldName("MilliCPU");
      goFloat(g, milliCpu);
      g.writeFieldName("Memory");
      goFloat(g, memory);
      if (scalars.isEmpty()) {
        g.writeNullField("ScalarResources");
      } else {
        g.writeObjectFieldStart("ScalarResources");
        for (Map.Entry<String, Double> e : scalars.entrySet()) {
          g.writeFieldName(e.getKey());
          goFloat(g, e.getValue());
        }
        g.writeEndObject();
      }
      g.writeNumberField("MaxTaskNum", maxTaskNum);
      g.writeEndObject();
    }

    private static void goFloat(JsonGenerator g, double v) throws IOException {
      if (v == Math.rint(v) && Math.abs(v) < 1e15) {
        g.writeNumber((long) v);
      } else {
        g.writeNumber(v);
      }
    }

    private static @Nullable BigDecimal quantity(String q) {
      String s = q.trim();
      int end = s.length();
      while (end > 0 && Character.isLetter(s.charAt(end - 1))) {
        end--;
      }
      BigDecimal base;
      try {
        base = new BigDecimal(s.substring(0, end));
      } catch (NumberFormatException e) {
        return null;
      }
      return switch (s.substring(end)) {
        case "" -> base;
        case "m" -> base.movePointLeft(3);
        case "k" -> base.movePointRight(3);
        case "M" -> base.movePointRight(6);
        case "G" -> base.movePointRight(9);
        case "T" -> base.movePointRight(12);
        case "Ki" -> base.multiply(BigDecimal.valueOf(1L << 10));
        case "Mi" -> base.multiply(BigDecimal.valueOf(1L << 20));
        case "Gi" -> base.multiply(BigDecimal.valueOf(1L << 30));
        case "Ti" -> base.multiply(BigDecimal.valueOf(1L << 40));
        default -> null;
      };
    }
  }
}
