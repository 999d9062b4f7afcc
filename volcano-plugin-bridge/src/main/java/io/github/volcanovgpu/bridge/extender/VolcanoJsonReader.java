package io.github.volcanovgpu.bridge.extender;

import io.github.volcanovgpu.bridge.extender.VolcanoWire.Kube;
import io.github.volcanovgpu.bridge.extender.VolcanoWire.Node;
import io.github.volcanovgpu.bridge.extender.VolcanoWire.Request;
import io.github.volcanovgpu.bridge.extender.VolcanoWire.Task;
import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads Volcano's extender request bodies (Go {@code encoding/json} of Volcano's request structs, reference
 * volcano-vgpu.md §2.3, §2.5; the member names are {@link VolcanoWire}'s), reading only what the decision needs.
 * Keys are matched case-insensitively (as Go's decoder does) and unknown keys are skipped.
 *
 * <p>One pass of {@link JsonScanner} over the bytes: it reads the wanted members and skips the rest without
 * tokenizing it. Each JSON object is read by a visitor of its members (static methods filling a small holder, so a
 * walk allocates nothing of its own). With {@code nodeDetails == false} (the engine reads nodes from its synced
 * cache) a node is only its {@code Name}: for a predicate the reader stops right after the node's name when the task
 * is read (Go writes {@code Name} first), so the node's pods are never looked at. With {@code nodeDetails == true}
 * the node's annotations and allocatable and, for each pod of its {@code Tasks}, the pod's identity, annotations,
 * containers' resources, node and phase are read.
 *
 * <p>Every failure is a {@link RequestBodyException} whose message names the field path (or the byte offset of
 * malformed JSON) and what was wrong. A skipped value is only checked for balanced brackets and terminated strings.
 * Thread-safe.
 */
final class VolcanoJsonReader {
  /** A predicate body: {@code {"task": TaskInfo, "node": NodeInfo}}. */
  record PredicateRequest(TaskView task, NodeView node) {}

  /**
   * A preemptable / reclaimable body: {@code {"evictor": TaskInfo, "evictees": [TaskInfo...]}}; each evictee with
   * its TaskInfo's bytes as sent (answered back verbatim as a victim).
   */
  record EvictionRequest(TaskView evictor, List<Evictee> evictees) {}

  /** One evictee and its TaskInfo's JSON as Volcano sent it. */
  record Evictee(TaskView task, String json) {}

  /** A prioritize body: {@code {"task": TaskInfo, "nodes": [NodeInfo...]}}. */
  record PrioritizeRequest(TaskView task, List<NodeView> nodes) {}

  private static final String PREDICATE_SHAPE = "{\"task\": TaskInfo, \"node\": NodeInfo}";
  private static final String PRIORITIZE_SHAPE = "{\"task\": TaskInfo, \"nodes\": [NodeInfo...]}";
  private static final String EVENT_SHAPE = "{\"task\": TaskInfo}";
  private static final String EVICTION_SHAPE = "{\"evictor\": TaskInfo, \"evictees\": [TaskInfo...]}";
  private static final String SESSION_SHAPE = "{\"Jobs\": {...}, \"Nodes\": {name: NodeInfo}, ...}";

  // key sets: a member's index in its set is what the visitors switch on
  private static final byte[][] PREDICATE_KEYS = JsonScanner.keys(Request.TASK, Request.NODE);
  private static final byte[][] PRIORITIZE_KEYS = JsonScanner.keys(Request.TASK, Request.NODES);
  private static final byte[][] EVENT_KEYS = JsonScanner.keys(Request.TASK);
  private static final byte[][] EVICTION_KEYS = JsonScanner.keys(Request.EVICTOR, Request.EVICTEES);
  private static final byte[][] SESSION_KEYS = JsonScanner.keys(Request.SESSION_NODES);
  private static final byte[][] NODE_NAME_KEYS = JsonScanner.keys(Node.NAME);
  private static final byte[][] NODE_INFO_KEYS = JsonScanner.keys(Node.NAME, Node.NODE, Node.TASKS);
  private static final byte[][] NODE_KEYS = JsonScanner.keys(Kube.METADATA, Kube.STATUS);
  private static final byte[][] NODE_METADATA_KEYS = JsonScanner.keys(Kube.ANNOTATIONS, Kube.NAME);
  private static final byte[][] NODE_STATUS_KEYS = JsonScanner.keys(Kube.ALLOCATABLE);
  /** The scheduled task's members; a task of a node is read with the first four only (its pod). */
  private static final byte[][] TASK_KEYS = JsonScanner.keys(Task.UID, Task.NAME, Task.NAMESPACE, Task.POD,
      Task.NODE_NAME, Task.STATUS, Task.POD_ANNOTATIONS);
  private static final byte[][] NODE_TASK_KEYS = Arrays.copyOf(TASK_KEYS, 4);
  private static final byte[][] POD_KEYS = JsonScanner.keys(Kube.METADATA, Kube.SPEC, Kube.STATUS);
  /** A pod's metadata; when the TaskInfo gave its identity, only the first two are read. */
  private static final byte[][] POD_METADATA_KEYS =
      JsonScanner.keys(Kube.ANNOTATIONS, Kube.RESOURCE_VERSION, Kube.UID, Kube.NAME, Kube.NAMESPACE);
  private static final byte[][] POD_METADATA_NO_IDENTITY_KEYS = Arrays.copyOf(POD_METADATA_KEYS, 2);
  private static final byte[][] POD_SPEC_KEYS = JsonScanner.keys(Kube.CONTAINERS, Kube.INIT_CONTAINERS,
      Kube.NODE_NAME);
  private static final byte[][] POD_STATUS_KEYS = JsonScanner.keys(Kube.PHASE);
  private static final byte[][] CONTAINER_KEYS = JsonScanner.keys(Kube.NAME, Kube.RESOURCES);
  private static final byte[][] RESOURCES_KEYS = JsonScanner.keys(Kube.LIMITS, Kube.REQUESTS);

  private final StringCache strings;

  VolcanoJsonReader(StringCache strings) {
    this.strings = strings;
  }

  VolcanoJsonReader() {
    this(new StringCache());
  }

  // ---------------------------------------------------------------------------------------------------- verbs

  PredicateRequest readPredicate(byte[] body, int offset, int length, boolean nodeDetails) {
    Body b = new Body(nodeDetails);
    open(body, offset, length, "predicate", PREDICATE_SHAPE).members("predicate body", "", "", PREDICATE_KEYS, b,
        VolcanoJsonReader::predicateMember);
    return new PredicateRequest(b.task("predicate"), b.node("predicate"));
  }

  PrioritizeRequest readPrioritize(byte[] body, int offset, int length, boolean nodeDetails) {
    Body b = new Body(nodeDetails);
    open(body, offset, length, "prioritize", PRIORITIZE_SHAPE).members("prioritize body", "", "", PRIORITIZE_KEYS,
        b, VolcanoJsonReader::prioritizeMember);
    if (b.nodes == null) {
      throw new RequestBodyException("prioritize body has no \"nodes\"");
    }
    return new PrioritizeRequest(b.task("prioritize"), List.copyOf(b.nodes));
  }

  /** allocate / deallocate: {@code {"task": TaskInfo}}. */
  TaskView readEventTask(byte[] body, int offset, int length, String verb) {
    Body b = new Body(false);
    open(body, offset, length, verb, EVENT_SHAPE).members(verb + " body", "", "", EVENT_KEYS, b,
        (s, target, key) -> target.task = readTask(s));
    return b.task(verb);
  }

  /** preemptable / reclaimable: {@code {"evictor": TaskInfo, "evictees": [TaskInfo...]}}. */
  EvictionRequest readEviction(byte[] body, int offset, int length, String verb) {
    Eviction e = new Eviction(body);
    open(body, offset, length, verb, EVICTION_SHAPE).members(verb + " body", "", "", EVICTION_KEYS, e,
        VolcanoJsonReader::evictionMember);
    if (e.evictor == null) {
      throw new RequestBodyException(verb + " body has no \"evictor\"");
    }
    if (e.evictees == null) {
      throw new RequestBodyException(verb + " body has no \"evictees\"");
    }
    return new EvictionRequest(e.evictor, List.copyOf(e.evictees));
  }

  /** What an eviction body gave. */
  private static final class Eviction {
    final byte[] body;
    @Nullable
    TaskView evictor;
    @Nullable
    List<Evictee> evictees;

    Eviction(byte[] body) {
      this.body = body;
    }
  }

  private static void evictionMember(JsonScanner s, Eviction e, int key) {
    if (key == 0) {
      e.evictor = readTask(s, Request.EVICTOR);
      return;
    }
    List<Evictee> evictees = new ArrayList<>();
    e.evictees = evictees;
    s.elements(Request.EVICTEES, "", "an array of TaskInfo", e, (sc, target) -> {
      String path = Request.EVICTEES + "[" + evictees.size() + "]";
      sc.peek(path); // skips the whitespace before the element
      int start = sc.position();
      TaskView task = readTask(sc, path);
      evictees.add(new Evictee(task, new String(target.body, start, sc.position() - start,
          java.nio.charset.StandardCharsets.UTF_8)));
    });
  }

  /** onSessionOpen: the detailed NodeInfos of {@code Nodes}; everything else (Jobs, Queues...) is skipped. */
  List<NodeView> readSessionNodes(byte[] body, int offset, int length) {
    List<NodeView> nodes = new ArrayList<>();
    open(body, offset, length, "onSessionOpen", SESSION_SHAPE).members("onSessionOpen body", "", "", SESSION_KEYS,
        nodes, (s, target, key) -> s.entries(Request.SESSION_NODES, "", "an object of NodeInfo by node name",
            target, VolcanoJsonReader::sessionNode));
    return nodes;
  }

  /** A scanner just inside the body's outer object. */
  private JsonScanner open(byte[] body, int offset, int length, String verb, String shape) {
    JsonScanner s = new JsonScanner(body, offset, length, verb + " body", strings);
    if (!s.hasMore()) {
      throw new RequestBodyException("empty " + verb + " body: expected a JSON object " + shape);
    }
    if (s.peek(verb + " body") != '{') {
      throw new RequestBodyException(verb + " body: expected a JSON object " + shape + ", got " + s.kind());
    }
    return s;
  }

  /** What a body gave. */
  private static final class Body {
    final boolean nodeDetails;
    @Nullable
    TaskView task;
    @Nullable
    NodeView node;
    @Nullable
    List<NodeView> nodes;

    Body(boolean nodeDetails) {
      this.nodeDetails = nodeDetails;
    }

    TaskView task(String verb) {
      if (task == null) {
        throw new RequestBodyException(verb + " body has no \"task\"");
      }
      return task;
    }

    NodeView node(String verb) {
      if (node == null) {
        throw new RequestBodyException(verb + " body has no \"node\"");
      }
      return node;
    }
  }

  private static void predicateMember(JsonScanner s, Body b, int key) {
    if (key == 0) {
      b.task = readTask(s);
      if (b.node != null && !b.nodeDetails) {
        s.stop();
      }
    } else if (b.nodeDetails) {
      b.node = readNode(s, Request.NODE, "");
    } else {
      // the fast path stops right after the node's Name when the task is already read
      b.node = NodeView.named(readNodeName(s, Request.NODE, b.task != null));
    }
  }

  private static void prioritizeMember(JsonScanner s, Body b, int key) {
    if (key == 0) {
      b.task = readTask(s);
    } else {
      List<NodeView> nodes = new ArrayList<>();
      s.elements(Request.NODES, "", "an array of NodeInfo", nodes,
          b.nodeDetails ? VolcanoJsonReader::detailedNode : VolcanoJsonReader::namedNode);
      b.nodes = nodes;
    }
  }

  private static void detailedNode(JsonScanner s, List<NodeView> nodes) {
    nodes.add(readNode(s, Request.NODES + "[" + nodes.size() + "]", ""));
  }

  private static void namedNode(JsonScanner s, List<NodeView> nodes) {
    nodes.add(NodeView.named(readNodeName(s, Request.NODES + "[" + nodes.size() + "]", false)));
  }

  private static void sessionNode(JsonScanner s, List<NodeView> nodes, int keyAt) {
    String name = s.stringAt(keyAt, Request.SESSION_NODES);
    nodes.add(readNode(s, "Nodes[\"" + name + "\"]", name));
  }

  // ---------------------------------------------------------------------------------------------- TaskInfo

  /** The TaskInfo being read. */
  private static final class TaskFields {
    final String path;
    String uid = "";
    String name = "";
    String namespace = "";
    String nodeName = "";
    int status = TaskStatus.PENDING;
    Map<String, String> podAnnotations = Map.of();
    @Nullable
    PodFields pod;

    TaskFields(String path) {
      this.path = path;
    }

    /** Go writes UID, Name and Namespace before Pod; when they were there, the pod's copies are not needed. */
    boolean identityKnown() {
      return !uid.isEmpty() && !name.isEmpty() && !namespace.isEmpty();
    }

    /** The pod, its identity from the TaskInfo, else from the pod's metadata, else {@code fallbackUid}. */
    PodView pod(String fallbackUid) {
      PodFields p = pod != null ? pod : new PodFields(path);
      String podUid = !uid.isEmpty() ? uid : !p.uid.isEmpty() ? p.uid : fallbackUid;
      return new PodView(podUid, !namespace.isEmpty() ? namespace : p.namespace, !name.isEmpty() ? name : p.name,
          p.annotations, p.containers, p.initContainers, p.nodeName, p.phase, p.resourceVersion);
    }
  }

  /** The task being scheduled (its pod's containers are the demand). */
  private static TaskView readTask(JsonScanner s) {
    return readTask(s, Request.TASK);
  }

  private static TaskView readTask(JsonScanner s, String path) {
    if (s.peek(path) != '{') {
      throw s.consumeNull() ? new RequestBodyException(path + " is null") : s.wrongType(path, "a TaskInfo object");
    }
    TaskFields t = new TaskFields(path);
    s.members(path, "", "a TaskInfo object", TASK_KEYS, t, VolcanoJsonReader::taskMember);
    if (t.pod == null) {
      throw new RequestBodyException(path + ".Pod is missing (the task's pod carries its resource requests)");
    }
    PodView pod = t.pod("");
    if (pod.uid().isEmpty()) {
      throw new RequestBodyException(path + " has neither UID nor Pod.metadata.uid");
    }
    return new TaskView(pod, t.status, t.nodeName, t.podAnnotations);
  }

  private static void taskMember(JsonScanner s, TaskFields t, int key) {
    switch (key) {
      case 0 -> t.uid = s.stringValue(t.path, ".UID");
      case 1 -> t.name = s.stringValue(t.path, ".Name");
      case 2 -> t.namespace = s.stringValue(t.path, ".Namespace");
      case 3 -> t.pod = readPod(s, t.path, t.identityKnown());
      case 4 -> t.nodeName = s.stringValue(t.path, ".NodeName");
      case 5 -> t.status = s.intValue(t.path, ".Status", "an integer (TaskStatus)");
      default -> t.podAnnotations = s.stringMap(t.path, ".PodAnnotations");
    }
  }

  // ---------------------------------------------------------------------------------------------- NodeInfo

  /**
   * Reads a NodeInfo's {@code Name} (anywhere in the object; the rest is skipped).
   *
   * @param last stop reading the body right after the name: the caller needs nothing else
   */
  private static String readNodeName(JsonScanner s, String path, boolean last) {
    NodeFields n = new NodeFields(path);
    if (!s.members(path, "", "a NodeInfo object", NODE_NAME_KEYS, n, last
        ? VolcanoJsonReader::lastNodeName : VolcanoJsonReader::nodeName)) {
      throw new RequestBodyException(path + " is null");
    }
    if (n.name.isEmpty()) {
      throw new RequestBodyException(path + " has no \"Name\"");
    }
    return n.name;
  }

  private static void nodeName(JsonScanner s, NodeFields n, int key) {
    n.name = s.stringValue(n.path, ".Name");
  }

  private static void lastNodeName(JsonScanner s, NodeFields n, int key) {
    nodeName(s, n, key);
    s.stop();
  }

  /** The NodeInfo being read. */
  private static final class NodeFields {
    final String path;
    String name = "";
    String objectName = "";
    Map<String, String> annotations = Map.of();
    Map<String, String> allocatable = Map.of();
    List<PodView> pods = List.of();

    NodeFields(String path) {
      this.path = path;
    }
  }

  /** Reads a NodeInfo with its annotations, allocatable and the pods of its Tasks. */
  private static NodeView readNode(JsonScanner s, String path, String fallbackName) {
    NodeFields n = new NodeFields(path);
    if (!s.members(path, "", "a NodeInfo object", NODE_INFO_KEYS, n, VolcanoJsonReader::nodeInfoMember)) {
      throw new RequestBodyException(path + " is null");
    }
    String name = !n.name.isEmpty() ? n.name : !n.objectName.isEmpty() ? n.objectName : fallbackName;
    if (name.isEmpty()) {
      throw new RequestBodyException(path + " has no \"Name\"");
    }
    return NodeView.of(name, n.annotations, n.allocatable, n.pods);
  }

  private static void nodeInfoMember(JsonScanner s, NodeFields n, int key) {
    switch (key) {
      case 0 -> n.name = s.stringValue(n.path, ".Name");
      case 1 -> s.members(n.path, ".Node", "a Node object", NODE_KEYS, n, VolcanoJsonReader::nodeMember);
      default -> {
        List<PodView> pods = new ArrayList<>();
        s.entries(n.path, ".Tasks", "an object of TaskInfo by task UID", new NodeTasks(n.path + ".Tasks", pods),
            VolcanoJsonReader::nodeTask);
        n.pods = List.copyOf(pods);
      }
    }
  }

  private static void nodeMember(JsonScanner s, NodeFields n, int key) {
    if (key == 0) {
      s.members(n.path, ".Node.metadata", "an object", NODE_METADATA_KEYS, n, (sc, node, k) -> {
        if (k == 0) {
          node.annotations = sc.stringMap(node.path, ".Node.metadata.annotations");
        } else {
          node.objectName = sc.stringValue(node.path, ".Node.metadata.name");
        }
      });
    } else {
      s.members(n.path, ".Node.status", "an object", NODE_STATUS_KEYS, n,
          (sc, node, k) -> node.allocatable = sc.stringMap(node.path, ".Node.status.allocatable"));
    }
  }

  /** The pods of a node's Tasks being collected. */
  private record NodeTasks(String path, List<PodView> pods) {}

  /** A TaskInfo of a node: only its pod is needed; its UID falls back to the map key. */
  private static void nodeTask(JsonScanner s, NodeTasks tasks, int keyAt) {
    String path = tasks.path();
    TaskFields t = new TaskFields(path);
    if (!s.members(path, "", "a TaskInfo object", NODE_TASK_KEYS, t, VolcanoJsonReader::taskMember)) {
      throw new RequestBodyException(path + " is null");
    }
    PodView pod = t.pod("");
    if (pod.uid().isEmpty()) {
      // the map key is the task UID; it is only decoded if the task names no UID itself
      pod = t.pod(s.stringAt(keyAt, path));
    }
    if (pod.uid().isEmpty()) {
      throw new RequestBodyException(path + " has a task with neither UID nor Pod.metadata.uid");
    }
    tasks.pods().add(pod);
  }

  // ----------------------------------------------------------------------------------------------- the pod

  /** The parts of a Kubernetes Pod the scheduler reads. */
  private static final class PodFields {
    final String path;
    String uid = "";
    String name = "";
    String namespace = "";
    String resourceVersion = "";
    Map<String, String> annotations = Map.of();
    List<ContainerView> containers = List.of();
    List<ContainerView> initContainers = List.of();
    String nodeName = "";
    String phase = "";

    PodFields(String path) {
      this.path = path;
    }
  }

  /**
   * Reads {@code <path>.Pod}; null when it is {@code null}.
   *
   * @param identityKnown the TaskInfo already gave UID, Name and Namespace: metadata's copies are skipped
   */
  private static @Nullable PodFields readPod(JsonScanner s, String path, boolean identityKnown) {
    PodFields pod = new PodFields(path);
    if (!s.members(path, ".Pod", "a Pod object", POD_KEYS, pod, identityKnown
        ? VolcanoJsonReader::podMemberIdentityKnown : VolcanoJsonReader::podMember)) {
      return null;
    }
    return pod;
  }

  private static void podMemberIdentityKnown(JsonScanner s, PodFields pod, int key) {
    podMember(s, pod, key, POD_METADATA_NO_IDENTITY_KEYS);
  }

  private static void podMember(JsonScanner s, PodFields pod, int key) {
    podMember(s, pod, key, POD_METADATA_KEYS);
  }

  private static void podMember(JsonScanner s, PodFields pod, int key, byte[][] metadataKeys) {
    switch (key) {
      case 0 -> s.members(pod.path, ".Pod.metadata", "an object", metadataKeys, pod,
          VolcanoJsonReader::podMetadataMember);
      case 1 -> s.members(pod.path, ".Pod.spec", "an object", POD_SPEC_KEYS, pod, VolcanoJsonReader::podSpecMember);
      default -> s.members(pod.path, ".Pod.status", "an object", POD_STATUS_KEYS, pod,
          (sc, p, k) -> p.phase = sc.stringValue(p.path, ".Pod.status.phase"));
    }
  }

  private static void podMetadataMember(JsonScanner s, PodFields pod, int key) {
    switch (key) {
      case 0 -> pod.annotations = s.stringMap(pod.path, ".Pod.metadata.annotations");
      case 1 -> pod.resourceVersion = s.stringValue(pod.path, ".Pod.metadata.resourceVersion");
      case 2 -> pod.uid = s.stringValue(pod.path, ".Pod.metadata.uid");
      case 3 -> pod.name = s.stringValue(pod.path, ".Pod.metadata.name");
      default -> pod.namespace = s.stringValue(pod.path, ".Pod.metadata.namespace");
    }
  }

  private static void podSpecMember(JsonScanner s, PodFields pod, int key) {
    switch (key) {
      case 0 -> pod.containers = readContainers(s, pod.path, ContainerPaths.CONTAINERS);
      case 1 -> pod.initContainers = readContainers(s, pod.path, ContainerPaths.INIT_CONTAINERS);
      default -> pod.nodeName = s.stringValue(pod.path, ".Pod.spec.nodeName");
    }
  }

  // ------------------------------------------------------------------------------------------- containers

  /** The message paths of one container list, built once. */
  private record ContainerPaths(String list, String element, String name, String resources, String limits,
      String requests) {
    static final ContainerPaths CONTAINERS = of(".Pod.spec." + Kube.CONTAINERS);
    static final ContainerPaths INIT_CONTAINERS = of(".Pod.spec." + Kube.INIT_CONTAINERS);

    static ContainerPaths of(String list) {
      String e = list + "[]";
      return new ContainerPaths(list, e, e + ".name", e + ".resources", e + ".resources.limits",
          e + ".resources.requests");
    }
  }

  /** The containers of a list being read, and the one being read. */
  private static final class ContainerFields {
    final String path;
    final ContainerPaths paths;
    @Nullable
    ContainerView first;
    @Nullable
    List<ContainerView> more;
    String name = "";
    Map<String, String> limits = Map.of();
    Map<String, String> requests = Map.of();

    ContainerFields(String path, ContainerPaths paths) {
      this.path = path;
      this.paths = paths;
    }

    void add() {
      ContainerView c = new ContainerView(name, limits, requests);
      name = "";
      limits = Map.of();
      requests = Map.of();
      if (first == null) {
        first = c;
      } else {
        if (more == null) {
          more = new ArrayList<>(4);
          more.add(first);
        }
        more.add(c);
      }
    }

    List<ContainerView> list() {
      return more != null ? List.copyOf(more) : first != null ? List.of(first) : List.of();
    }
  }

  private static List<ContainerView> readContainers(JsonScanner s, String path, ContainerPaths paths) {
    ContainerFields c = new ContainerFields(path, paths);
    s.elements(path, paths.list(), "an array of containers", c, VolcanoJsonReader::container);
    return c.list();
  }

  private static void container(JsonScanner s, ContainerFields c) {
    s.members(c.path, c.paths.element(), "a container object", CONTAINER_KEYS, c,
        VolcanoJsonReader::containerMember);
    c.add();
  }

  private static void containerMember(JsonScanner s, ContainerFields c, int key) {
    if (key == 0) {
      c.name = s.stringValue(c.path, c.paths.name());
    } else {
      s.members(c.path, c.paths.resources(), "an object", RESOURCES_KEYS, c, (sc, fields, k) -> {
        if (k == 0) {
          fields.limits = sc.stringMap(fields.path, fields.paths.limits());
        } else {
          fields.requests = sc.stringMap(fields.path, fields.paths.requests());
        }
      });
    }
  }
}
