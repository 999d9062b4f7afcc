package io.github.volcanovgpu.bridge.extender;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads Volcano's extender request bodies (Go {@code encoding/json} of Volcano's request structs, reference
 * volcano-vgpu.md §2.3, §2.5), reading only what the decision needs. Keys are matched case-insensitively (as Go's
 * decoder does) and unknown keys are skipped.
 *
 * <p>The task being scheduled (a few KB) is read with Jackson's streaming parser. NodeInfos, which carry every pod
 * of the node and are most of a body, are walked with {@link JsonScanner}: it reads the wanted fields and skips the
 * rest without tokenizing it. With {@code nodeDetails == false} (the engine reads nodes from its synced cache) a
 * node is only its {@code Name}: for a predicate the reader stops right after the node's name (Go writes
 * {@code Name} first), so the node's pods are never looked at. With {@code nodeDetails == true} the node's
 * annotations and allocatable and, for each pod of its {@code Tasks}, the pod's identity, annotations,
 * containers' resources, node and phase are read.
 *
 * <p>Every failure is a {@link RequestBodyException} whose message names the field path (or the byte offset of
 * malformed JSON) and what was wrong. Thread-safe.
 */
final class VolcanoJsonReader {
  /** A predicate body: {@code {"task": TaskInfo, "node": NodeInfo}}. */
  record PredicateRequest(TaskView task, NodeView node) {}

  /** A prioritize body: {@code {"task": TaskInfo, "nodes": [NodeInfo...]}}. */
  record PrioritizeRequest(TaskView task, List<NodeView> nodes) {}

  private static final String PREDICATE_SHAPE = "{\"task\": TaskInfo, \"node\": NodeInfo}";
  private static final String PRIORITIZE_SHAPE = "{\"task\": TaskInfo, \"nodes\": [NodeInfo...]}";
  private static final String EVENT_SHAPE = "{\"task\": TaskInfo}";
  private static final String SESSION_SHAPE = "{\"Jobs\": {...}, \"Nodes\": {name: NodeInfo}, ...}";

  private static final byte[][] PREDICATE_KEYS = JsonScanner.keys("task", "node");
  private static final byte[][] PRIORITIZE_KEYS = JsonScanner.keys("task", "nodes");
  private static final byte[][] EVENT_KEYS = JsonScanner.keys("task");
  private static final byte[][] SESSION_KEYS = JsonScanner.keys("Nodes");
  private static final byte[][] NAME_KEY = JsonScanner.keys("Name");
  private static final byte[][] NODE_INFO_KEYS = JsonScanner.keys("Name", "Node", "Tasks");
  private static final byte[][] NODE_KEYS = JsonScanner.keys("metadata", "status");
  private static final byte[][] NODE_METADATA_KEYS = JsonScanner.keys("annotations", "name");
  private static final byte[][] NODE_STATUS_KEYS = JsonScanner.keys("allocatable");
  private static final byte[][] TASK_KEYS = JsonScanner.keys("UID", "Name", "Namespace", "Pod");
  private static final byte[][] POD_KEYS = JsonScanner.keys("metadata", "spec", "status");
  private static final byte[][] POD_METADATA_KEYS =
      JsonScanner.keys("annotations", "resourceVersion", "uid", "name", "namespace");
  private static final byte[][] POD_SPEC_KEYS = JsonScanner.keys("containers", "initContainers", "nodeName");
  private static final byte[][] POD_STATUS_KEYS = JsonScanner.keys("phase");
  private static final byte[][] CONTAINER_KEYS = JsonScanner.keys("name", "resources");
  private static final byte[][] RESOURCES_KEYS = JsonScanner.keys("limits", "requests");

  private final JsonFactory factory;
  private final StringCache strings;

  VolcanoJsonReader(JsonFactory factory, StringCache strings) {
    this.factory = factory;
    this.strings = strings;
  }

  VolcanoJsonReader(JsonFactory factory) {
    this(factory, new StringCache());
  }

  VolcanoJsonReader() {
    this(new JsonFactory());
  }

  // ---------------------------------------------------------------------------------------------------- verbs

  PredicateRequest readPredicate(byte[] body, int offset, int length, boolean nodeDetails) {
    JsonScanner s = open(body, offset, length, "predicate", PREDICATE_SHAPE);
    TaskView task = null;
    NodeView node = null;
    if (!s.consume('}')) {
      do {
        int k = s.key(PREDICATE_KEYS, "predicate body");
        if (k == 0) {
          task = readTaskAt(s, "predicate");
          if (node != null && !nodeDetails) {
            break;
          }
        } else if (k == 1) {
          if (nodeDetails) {
            node = readNode(s, "node", "");
          } else {
            // the fast path stops right after the node's Name when the task is already read
            boolean stop = task != null;
            node = NodeView.named(readNodeName(s, "node", !stop));
            if (stop) {
              break;
            }
          }
        } else {
          s.skipValue("predicate body");
        }
      } while (s.nextMember('}', "predicate body"));
    }
    if (task == null) {
      throw new RequestBodyException("predicate body has no \"task\"");
    }
    if (node == null) {
      throw new RequestBodyException("predicate body has no \"node\"");
    }
    return new PredicateRequest(task, node);
  }

  PrioritizeRequest readPrioritize(byte[] body, int offset, int length, boolean nodeDetails) {
    JsonScanner s = open(body, offset, length, "prioritize", PRIORITIZE_SHAPE);
    TaskView task = null;
    List<NodeView> nodes = null;
    if (!s.consume('}')) {
      do {
        int k = s.key(PRIORITIZE_KEYS, "prioritize body");
        if (k == 0) {
          task = readTaskAt(s, "prioritize");
        } else if (k == 1) {
          nodes = readNodes(s, nodeDetails);
        } else {
          s.skipValue("prioritize body");
        }
      } while (s.nextMember('}', "prioritize body"));
    }
    if (task == null) {
      throw new RequestBodyException("prioritize body has no \"task\"");
    }
    if (nodes == null) {
      throw new RequestBodyException("prioritize body has no \"nodes\"");
    }
    return new PrioritizeRequest(task, nodes);
  }

  /** allocate / deallocate: {@code {"task": TaskInfo}}. */
  TaskView readEventTask(byte[] body, int offset, int length, String verb) {
    JsonScanner s = open(body, offset, length, verb, EVENT_SHAPE);
    TaskView task = null;
    if (!s.consume('}')) {
      do {
        if (s.key(EVENT_KEYS, verb + " body") == 0) {
          task = readTaskAt(s, verb);
        } else {
          s.skipValue(verb + " body");
        }
      } while (s.nextMember('}', verb + " body"));
    }
    if (task == null) {
      throw new RequestBodyException(verb + " body has no \"task\"");
    }
    return task;
  }

  /** onSessionOpen: the detailed NodeInfos of {@code Nodes}; everything else (Jobs, Queues...) is skipped. */
  List<NodeView> readSessionNodes(byte[] body, int offset, int length) {
    JsonScanner s = open(body, offset, length, "onSessionOpen", SESSION_SHAPE);
    List<NodeView> nodes = new ArrayList<>();
    if (!s.consume('}')) {
      do {
        if (s.key(SESSION_KEYS, "onSessionOpen body") != 0) {
          s.skipValue("onSessionOpen body");
        } else if (s.openObject("Nodes", "", "an object of NodeInfo by node name") && !s.consume('}')) {
          do {
            String name = s.readString("Nodes");
            s.expect(':', "Nodes");
            if (!s.consumeNull()) {
              nodes.add(readNode(s, "Nodes[\"" + name + "\"]", name));
            }
          } while (s.nextMember('}', "Nodes"));
        }
      } while (s.nextMember('}', "onSessionOpen body"));
    }
    return nodes;
  }

  // ---------------------------------------------------------------------------------------------- the task

  private JsonScanner open(byte[] body, int offset, int length, String verb, String shape) {
    JsonScanner s = new JsonScanner(body, offset, length, verb + " body", strings);
    if (!s.hasMore()) {
      throw new RequestBodyException("empty " + verb + " body: expected a JSON object " + shape);
    }
    if (s.peek(verb + " body") != '{') {
      throw new RequestBodyException(verb + " body: expected a JSON object " + shape + ", got " + s.kind());
    }
    s.expect('{', verb + " body");
    return s;
  }

  /** Reads the {@code task} value with Jackson and moves the scanner past it. */
  private TaskView readTaskAt(JsonScanner s, String verb) {
    if (s.peek("task") != '{') {
      throw s.consumeNull() ? new RequestBodyException("task is null") : s.wrongType("task", "a TaskInfo object");
    }
    int start = s.position();
    try (JsonParser p = factory.createParser(s.bytes(), start, s.end() - start)) {
      TaskView task = readTask(p, p.nextToken(), "task", true, "");
      // Jackson's offsets are relative to the start of its input
      s.position(start + (int) p.currentLocation().getByteOffset());
      return task;
    } catch (JsonProcessingException e) {
      throw malformed(verb, e, start - s.origin());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ------------------------------------------------------------------------------------ TaskInfo (Jackson)

  /**
   * Reads a TaskInfo object; the parser is on its START_OBJECT (or on {@code t}).
   *
   * @param requirePod true for the task being scheduled (its containers are the demand); false for the pods of a
   *     node, which may be shown without their Pod
   * @param fallbackUid the map key the task was found under (node Tasks), used when neither UID is present
   */
  private TaskView readTask(JsonParser p, @Nullable JsonToken t, String path, boolean requirePod,
      String fallbackUid) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      throw new RequestBodyException(path + " is null");
    }
    expect(t, JsonToken.START_OBJECT, path, "", "a TaskInfo object");
    String uid = "";
    String name = "";
    String namespace = "";
    String nodeName = "";
    int status = TaskStatus.PENDING;
    Map<String, String> podAnnotations = Map.of();
    PodFields pod = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      if (is(field, "Pod")) {
        if (v != JsonToken.VALUE_NULL) {
          // Go writes UID, Name and Namespace before Pod; when they were there, the pod's copies are not needed
          boolean identityKnown = !uid.isEmpty() && !name.isEmpty() && !namespace.isEmpty();
          pod = readPod(p, v, path, identityKnown);
        }
      } else if (is(field, "UID")) {
        uid = string(p, v, path, ".UID");
      } else if (is(field, "Name")) {
        name = string(p, v, path, ".Name");
      } else if (is(field, "Namespace")) {
        namespace = string(p, v, path, ".Namespace");
      } else if (is(field, "NodeName")) {
        nodeName = string(p, v, path, ".NodeName");
      } else if (is(field, "Status")) {
        if (v != JsonToken.VALUE_NUMBER_INT) {
          throw wrongType(path + ".Status", "an integer (TaskStatus)", v);
        }
        status = p.getIntValue();
      } else if (is(field, "PodAnnotations")) {
        podAnnotations = readStringMap(p, v, path, ".PodAnnotations");
      } else {
        p.skipChildren();
      }
    }
    if (pod == null) {
      if (requirePod) {
        throw new RequestBodyException(path + ".Pod is missing (the task's pod carries its resource requests)");
      }
      pod = new PodFields();
    }
    String podUid = !uid.isEmpty() ? uid : !pod.uid.isEmpty() ? pod.uid : fallbackUid;
    if (podUid.isEmpty()) {
      throw new RequestBodyException(path + " has neither UID nor Pod.metadata.uid");
    }
    PodView view =
        new PodView(
            podUid,
            !namespace.isEmpty() ? namespace : pod.namespace,
            !name.isEmpty() ? name : pod.name,
            pod.annotations,
            pod.containers,
            pod.initContainers,
            pod.nodeName,
            pod.phase,
            pod.resourceVersion);
    return new TaskView(view, status, nodeName, podAnnotations);
  }

  /** The parts of a Kubernetes Pod the scheduler reads. */
  private static final class PodFields {
    String uid = "";
    String name = "";
    String namespace = "";
    String resourceVersion = "";
    Map<String, String> annotations = Map.of();
    List<ContainerView> containers = List.of();
    List<ContainerView> initContainers = List.of();
    String nodeName = "";
    String phase = "";
  }

  /**
   * Reads {@code <path>.Pod}.
   *
   * @param identityKnown the TaskInfo already gave UID, Name and Namespace: metadata's copies are skipped
   */
  private static PodFields readPod(JsonParser p, JsonToken t, String path, boolean identityKnown)
      throws IOException {
    expect(t, JsonToken.START_OBJECT, path, ".Pod", "a Pod object");
    PodFields pod = new PodFields();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      if (v == JsonToken.VALUE_NULL) {
        continue;
      }
      if (is(field, "metadata")) {
        expect(v, JsonToken.START_OBJECT, path, ".Pod.metadata", "an object");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String m = p.currentName();
          JsonToken mv = p.nextToken();
          if (is(m, "annotations")) {
            pod.annotations = readStringMap(p, mv, path, ".Pod.metadata.annotations");
          } else if (is(m, "resourceVersion")) {
            pod.resourceVersion = string(p, mv, path, ".Pod.metadata.resourceVersion");
          } else if (identityKnown) {
            p.skipChildren();
          } else if (is(m, "uid")) {
            pod.uid = string(p, mv, path, ".Pod.metadata.uid");
          } else if (is(m, "name")) {
            pod.name = string(p, mv, path, ".Pod.metadata.name");
          } else if (is(m, "namespace")) {
            pod.namespace = string(p, mv, path, ".Pod.metadata.namespace");
          } else {
            p.skipChildren();
          }
        }
      } else if (is(field, "spec")) {
        expect(v, JsonToken.START_OBJECT, path, ".Pod.spec", "an object");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String s = p.currentName();
          JsonToken sv = p.nextToken();
          if (is(s, "containers")) {
            pod.containers = readContainers(p, sv, path, false);
          } else if (is(s, "initContainers")) {
            pod.initContainers = readContainers(p, sv, path, true);
          } else if (is(s, "nodeName")) {
            pod.nodeName = string(p, sv, path, ".Pod.spec.nodeName");
          } else {
            p.skipChildren();
          }
        }
      } else if (is(field, "status")) {
        expect(v, JsonToken.START_OBJECT, path, ".Pod.status", "an object");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String s = p.currentName();
          JsonToken sv = p.nextToken();
          if (is(s, "phase")) {
            pod.phase = string(p, sv, path, ".Pod.status.phase");
          } else {
            p.skipChildren();
          }
        }
      } else {
        p.skipChildren();
      }
    }
    return pod;
  }

  private static List<ContainerView> readContainers(JsonParser p, JsonToken t, String path, boolean init)
      throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return List.of();
    }
    expect(t, JsonToken.START_ARRAY, path, init ? ".Pod.spec.initContainers" : ".Pod.spec.containers",
        "an array of containers");
    ContainerView first = null;
    List<ContainerView> more = null;
    JsonToken e;
    while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
      if (e == JsonToken.VALUE_NULL) {
        continue;
      }
      expect(e, JsonToken.START_OBJECT, path, init ? ".Pod.spec.initContainers[]" : ".Pod.spec.containers[]",
          "a container object");
      String name = "";
      Map<String, String> limits = Map.of();
      Map<String, String> requests = Map.of();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        if (is(field, "name")) {
          name = string(p, v, path, init ? ".Pod.spec.initContainers[].name" : ".Pod.spec.containers[].name");
        } else if (is(field, "resources") && v != JsonToken.VALUE_NULL) {
          expect(v, JsonToken.START_OBJECT, path,
              init ? ".Pod.spec.initContainers[].resources" : ".Pod.spec.containers[].resources", "an object");
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String r = p.currentName();
            JsonToken rv = p.nextToken();
            if (is(r, "limits")) {
              limits = readStringMap(p, rv, path,
                  init ? ".Pod.spec.initContainers[].resources.limits" : ".Pod.spec.containers[].resources.limits");
            } else if (is(r, "requests")) {
              requests = readStringMap(p, rv, path, init
                  ? ".Pod.spec.initContainers[].resources.requests"
                  : ".Pod.spec.containers[].resources.requests");
            } else {
              p.skipChildren();
            }
          }
        } else {
          p.skipChildren();
        }
      }
      ContainerView c = new ContainerView(name, limits, requests);
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
    return more != null ? List.copyOf(more) : first != null ? List.of(first) : List.of();
  }

  // --------------------------------------------------------------------------------------- NodeInfo (scanner)

  private List<NodeView> readNodes(JsonScanner s, boolean details) {
    if (!s.openArray("nodes", "", "an array of NodeInfo")) {
      return List.of();
    }
    List<NodeView> nodes = new ArrayList<>();
    if (s.consume(']')) {
      return nodes;
    }
    do {
      if (s.consumeNull()) {
        continue;
      }
      String path = "nodes[" + nodes.size() + "]";
      nodes.add(details ? readNode(s, path, "") : NodeView.named(readNodeName(s, path, true)));
    } while (s.nextMember(']', "nodes"));
    return nodes;
  }

  /**
   * Reads a NodeInfo's {@code Name}.
   *
   * @param finishObject when false, return right after {@code Name}, leaving the rest of the body unread: the
   *     caller must stop reading
   */
  private static String readNodeName(JsonScanner s, String path, boolean finishObject) {
    if (!s.openObject(path, "", "a NodeInfo object")) {
      throw new RequestBodyException(path + " is null");
    }
    String name = "";
    if (!s.consume('}')) {
      do {
        if (s.key(NAME_KEY, path) == 0) {
          name = s.stringValue(path, ".Name");
          if (!finishObject) {
            break;
          }
          s.skipRestOfContainer(path);
          break;
        }
        s.skipValue(path);
      } while (s.nextMember('}', path));
    }
    if (name.isEmpty()) {
      throw new RequestBodyException(path + " has no \"Name\"");
    }
    return name;
  }

  /** Reads a NodeInfo with its annotations, allocatable and the pods of its Tasks. */
  private static NodeView readNode(JsonScanner s, String path, String fallbackName) {
    if (!s.openObject(path, "", "a NodeInfo object")) {
      throw new RequestBodyException(path + " is null");
    }
    String name = "";
    String objectName = "";
    Map<String, String> annotations = Map.of();
    Map<String, String> allocatable = Map.of();
    List<PodView> pods = List.of();
    if (!s.consume('}')) {
      do {
        switch (s.key(NODE_INFO_KEYS, path)) {
          case 0 -> name = s.stringValue(path, ".Name");
          case 1 -> {
            if (s.openObject(path, ".Node", "a Node object") && !s.consume('}')) {
              do {
                int k = s.key(NODE_KEYS, path);
                if (k == 0 && s.openObject(path, ".Node.metadata", "an object") && !s.consume('}')) {
                  do {
                    int m = s.key(NODE_METADATA_KEYS, path);
                    if (m == 0) {
                      annotations = s.stringMap(path, ".Node.metadata.annotations");
                    } else if (m == 1) {
                      objectName = s.stringValue(path, ".Node.metadata.name");
                    } else {
                      s.skipValue(path);
                    }
                  } while (s.nextMember('}', path));
                } else if (k == 1 && s.openObject(path, ".Node.status", "an object") && !s.consume('}')) {
                  do {
                    if (s.key(NODE_STATUS_KEYS, path) == 0) {
                      allocatable = s.stringMap(path, ".Node.status.allocatable");
                    } else {
                      s.skipValue(path);
                    }
                  } while (s.nextMember('}', path));
                } else if (k < 0) {
                  s.skipValue(path);
                }
              } while (s.nextMember('}', path));
            }
          }
          case 2 -> pods = readNodeTasks(s, path);
          default -> s.skipValue(path);
        }
      } while (s.nextMember('}', path));
    }
    if (name.isEmpty()) {
      name = !objectName.isEmpty() ? objectName : fallbackName;
    }
    if (name.isEmpty()) {
      throw new RequestBodyException(path + " has no \"Name\"");
    }
    return NodeView.of(name, annotations, allocatable, pods);
  }

  private static List<PodView> readNodeTasks(JsonScanner s, String nodePath) {
    if (!s.openObject(nodePath, ".Tasks", "an object of TaskInfo by task UID") || s.consume('}')) {
      return List.of();
    }
    String path = nodePath + ".Tasks";
    List<PodView> pods = new ArrayList<>();
    do {
      // the map key is the task UID; it is only decoded if the task names no UID itself
      int keyAt = s.position();
      s.skipValue(path);
      s.expect(':', path);
      if (s.consumeNull()) {
        continue;
      }
      pods.add(readNodeTask(s, path, keyAt));
    } while (s.nextMember('}', path));
    return List.copyOf(pods);
  }

  /** A TaskInfo of a node: only its pod is needed. */
  private static PodView readNodeTask(JsonScanner s, String path, int keyAt) {
    if (!s.openObject(path, "", "a TaskInfo object")) {
      throw new RequestBodyException(path + " is null");
    }
    String uid = "";
    String name = "";
    String namespace = "";
    PodFields pod = null;
    if (!s.consume('}')) {
      do {
        switch (s.key(TASK_KEYS, path)) {
          case 0 -> uid = s.stringValue(path, ".UID");
          case 1 -> name = s.stringValue(path, ".Name");
          case 2 -> namespace = s.stringValue(path, ".Namespace");
          case 3 -> pod = readPod(s, path, !uid.isEmpty() && !name.isEmpty() && !namespace.isEmpty());
          default -> s.skipValue(path);
        }
      } while (s.nextMember('}', path));
    }
    if (pod == null) {
      pod = new PodFields();
    }
    String podUid = !uid.isEmpty() ? uid : pod.uid;
    if (podUid.isEmpty()) {
      podUid = s.stringAt(keyAt, path);
    }
    if (podUid.isEmpty()) {
      throw new RequestBodyException(path + " has a task with neither UID nor Pod.metadata.uid");
    }
    return new PodView(podUid, !namespace.isEmpty() ? namespace : pod.namespace, !name.isEmpty() ? name : pod.name,
        pod.annotations, pod.containers, pod.initContainers, pod.nodeName, pod.phase, pod.resourceVersion);
  }

  /** A pod of a node's task; null when the task's Pod is null. */
  private static @Nullable PodFields readPod(JsonScanner s, String path, boolean identityKnown) {
    if (!s.openObject(path, ".Pod", "a Pod object")) {
      return null;
    }
    PodFields pod = new PodFields();
    if (s.consume('}')) {
      return pod;
    }
    do {
      int k = s.key(POD_KEYS, path);
      if (k == 0 && s.openObject(path, ".Pod.metadata", "an object") && !s.consume('}')) {
        do {
          switch (s.key(POD_METADATA_KEYS, path)) {
            case 0 -> pod.annotations = s.stringMap(path, ".Pod.metadata.annotations");
            case 1 -> pod.resourceVersion = s.stringValue(path, ".Pod.metadata.resourceVersion");
            case 2 -> {
              if (identityKnown) {
                s.skipValue(path);
              } else {
                pod.uid = s.stringValue(path, ".Pod.metadata.uid");
              }
            }
            case 3 -> {
              if (identityKnown) {
                s.skipValue(path);
              } else {
                pod.name = s.stringValue(path, ".Pod.metadata.name");
              }
            }
            case 4 -> {
              if (identityKnown) {
                s.skipValue(path);
              } else {
                pod.namespace = s.stringValue(path, ".Pod.metadata.namespace");
              }
            }
            default -> s.skipValue(path);
          }
        } while (s.nextMember('}', path));
      } else if (k == 1 && s.openObject(path, ".Pod.spec", "an object") && !s.consume('}')) {
        do {
          switch (s.key(POD_SPEC_KEYS, path)) {
            case 0 -> pod.containers = readContainers(s, path, false);
            case 1 -> pod.initContainers = readContainers(s, path, true);
            case 2 -> pod.nodeName = s.stringValue(path, ".Pod.spec.nodeName");
            default -> s.skipValue(path);
          }
        } while (s.nextMember('}', path));
      } else if (k == 2 && s.openObject(path, ".Pod.status", "an object") && !s.consume('}')) {
        do {
          if (s.key(POD_STATUS_KEYS, path) == 0) {
            pod.phase = s.stringValue(path, ".Pod.status.phase");
          } else {
            s.skipValue(path);
          }
        } while (s.nextMember('}', path));
      } else if (k < 0) {
        s.skipValue(path);
      }
    } while (s.nextMember('}', path));
    return pod;
  }

  private static List<ContainerView> readContainers(JsonScanner s, String path, boolean init) {
    String sub = init ? ".Pod.spec.initContainers" : ".Pod.spec.containers";
    if (!s.openArray(path, sub, "an array of containers") || s.consume(']')) {
      return List.of();
    }
    ContainerView first = null;
    List<ContainerView> more = null;
    do {
      if (s.consumeNull()) {
        continue;
      }
      if (!s.openObject(path, sub + "[]", "a container object")) {
        continue;
      }
      String name = "";
      Map<String, String> limits = Map.of();
      Map<String, String> requests = Map.of();
      if (!s.consume('}')) {
        do {
          int k = s.key(CONTAINER_KEYS, path);
          if (k == 0) {
            name = s.stringValue(path, sub + "[].name");
          } else if (k == 1 && s.openObject(path, sub + "[].resources", "an object") && !s.consume('}')) {
            do {
              int r = s.key(RESOURCES_KEYS, path);
              if (r == 0) {
                limits = s.stringMap(path, sub + "[].resources.limits");
              } else if (r == 1) {
                requests = s.stringMap(path, sub + "[].resources.requests");
              } else {
                s.skipValue(path);
              }
            } while (s.nextMember('}', path));
          } else if (k < 0) {
            s.skipValue(path);
          }
        } while (s.nextMember('}', path));
      }
      ContainerView c = new ContainerView(name, limits, requests);
      if (first == null) {
        first = c;
      } else {
        if (more == null) {
          more = new ArrayList<>(4);
          more.add(first);
        }
        more.add(c);
      }
    } while (s.nextMember(']', path));
    return more != null ? List.copyOf(more) : first != null ? List.of(first) : List.of();
  }

  // ----------------------------------------------------------------------------------------------- helpers

  private static Map<String, String> readStringMap(JsonParser p, @Nullable JsonToken t, String path, String sub)
      throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return Map.of();
    }
    expect(t, JsonToken.START_OBJECT, path, sub, "an object of strings");
    String[] kv = null;
    int n = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken v = p.nextToken();
      String value;
      if (v == JsonToken.VALUE_STRING || v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
        value = p.getText();
      } else if (v == JsonToken.VALUE_NULL) {
        value = "";
      } else {
        throw wrongType(path + sub + "[\"" + key + "\"]", "a string", v);
      }
      if (kv == null) {
        kv = new String[16];
      } else if (n == kv.length) {
        kv = Arrays.copyOf(kv, n * 2);
      }
      kv[n++] = key;
      kv[n++] = value;
    }
    return kv == null ? Map.of() : immutableMap(kv, n);
  }

  /** An immutable map of the pairs, built without an intermediate HashMap; a repeated key keeps its last value. */
  static Map<String, String> immutableMap(String[] kv, int n) {
    try {
      return switch (n / 2) {
        case 0 -> Map.of();
        case 1 -> Map.of(kv[0], kv[1]);
        case 2 -> Map.of(kv[0], kv[1], kv[2], kv[3]);
        case 3 -> Map.of(kv[0], kv[1], kv[2], kv[3], kv[4], kv[5]);
        case 4 -> Map.of(kv[0], kv[1], kv[2], kv[3], kv[4], kv[5], kv[6], kv[7]);
        case 5 -> Map.of(kv[0], kv[1], kv[2], kv[3], kv[4], kv[5], kv[6], kv[7], kv[8], kv[9]);
        case 6 -> Map.of(kv[0], kv[1], kv[2], kv[3], kv[4], kv[5], kv[6], kv[7], kv[8], kv[9], kv[10], kv[11]);
        case 7 -> Map.of(kv[0], kv[1], kv[2], kv[3], kv[4], kv[5], kv[6], kv[7], kv[8], kv[9], kv[10], kv[11],
            kv[12], kv[13]);
        case 8 -> Map.of(kv[0], kv[1], kv[2], kv[3], kv[4], kv[5], kv[6], kv[7], kv[8], kv[9], kv[10], kv[11],
            kv[12], kv[13], kv[14], kv[15]);
        case 9 -> Map.of(kv[0], kv[1], kv[2], kv[3], kv[4], kv[5], kv[6], kv[7], kv[8], kv[9], kv[10], kv[11],
            kv[12], kv[13], kv[14], kv[15], kv[16], kv[17]);
        case 10 -> Map.of(kv[0], kv[1], kv[2], kv[3], kv[4], kv[5], kv[6], kv[7], kv[8], kv[9], kv[10], kv[11],
            kv[12], kv[13], kv[14], kv[15], kv[16], kv[17], kv[18], kv[19]);
        default -> viaHashMap(kv, n);
      };
    } catch (IllegalArgumentException duplicateKey) {
      return viaHashMap(kv, n);
    }
  }

  private static Map<String, String> viaHashMap(String[] kv, int n) {
    Map<String, String> m = new HashMap<>(n);
    for (int i = 0; i < n; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return Map.copyOf(m);
  }

  private static String string(JsonParser p, @Nullable JsonToken t, String path, String sub) throws IOException {
    if (t == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    if (t == JsonToken.VALUE_NULL) {
      return "";
    }
    throw wrongType(path + sub, "a string", t);
  }

  private static void expect(@Nullable JsonToken t, JsonToken wanted, String path, String sub, String what) {
    if (t != wanted) {
      throw wrongType(path + sub, what, t);
    }
  }

  private static RequestBodyException wrongType(String path, String what, @Nullable JsonToken got) {
    return new RequestBodyException(path + ": expected " + what + ", got " + describe(got));
  }

  private static String describe(@Nullable JsonToken t) {
    if (t == null) {
      return "the end of the body";
    }
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT -> "an integer";
      case VALUE_NUMBER_FLOAT -> "a number with a fraction";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
    };
  }

  private static RequestBodyException malformed(String verb, JsonProcessingException e, int base) {
    JsonLocation at = e.getLocation();
    String where = at == null ? "" : " at byte " + (base + at.getByteOffset());
    String problem = e.getOriginalMessage();
    int marker = problem.indexOf(" (start marker at ");
    if (marker > 0) {
      problem = problem.substring(0, marker); // names Jackson's redacted source, says nothing useful
    }
    return new RequestBodyException("malformed JSON in " + verb + " body" + where + ": " + problem);
  }

  /**
   * Go's decoder matches keys exactly first, then case-insensitively; Jackson interns field names, so the exact
   * case is a reference comparison.
   */
  @SuppressWarnings("StringEquality")
  static boolean is(String name, String key) {
    if (name == key) {
      return true;
    }
    // cheap rejections before the case-insensitive compare: length, then the first letter ignoring ASCII case
    return name.length() == key.length()
        && ((name.charAt(0) ^ key.charAt(0)) & ~0x20) == 0
        && name.equalsIgnoreCase(key);
  }
}
