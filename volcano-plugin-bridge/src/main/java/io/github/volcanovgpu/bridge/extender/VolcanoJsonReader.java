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
 * volcano-vgpu.md §2.3, §2.5) with Jackson's streaming parser, reading only what the decision needs.
 *
 * <p>Keys are matched case-insensitively (as Go's decoder does) and unknown keys are skipped. With
 * {@code nodeDetails == false} (the engine reads nodes from its synced cache) a node is only its {@code Name}: for
 * a predicate the parser stops right after the node's name (Go writes {@code Name} first), so the node's pods are
 * never tokenized; for a prioritize the NodeInfos are walked with {@link JsonScanner}, which reads each
 * {@code Name} and skips the rest without tokenizing it. With {@code nodeDetails == true} the node's annotations,
 * allocatable and the pods of its {@code Tasks} are read and everything else is skipped.
 *
 * <p>Every failure is a {@link RequestBodyException} whose message names the field path and what was wrong.
 * Thread-safe.
 */
final class VolcanoJsonReader {
  /** A predicate body: {@code {"task": TaskInfo, "node": NodeInfo}}. */
  record PredicateRequest(TaskView task, NodeView node) {}

  /** A prioritize body: {@code {"task": TaskInfo, "nodes": [NodeInfo...]}}. */
  record PrioritizeRequest(TaskView task, List<NodeView> nodes) {}

  private final JsonFactory factory;

  VolcanoJsonReader(JsonFactory factory) {
    this.factory = factory;
  }

  VolcanoJsonReader() {
    this(new JsonFactory());
  }

  // ---------------------------------------------------------------------------------------------------- verbs

  PredicateRequest readPredicate(byte[] body, int offset, int length, boolean nodeDetails) {
    try (JsonParser p = factory.createParser(body, offset, length)) {
      startBody(p, "predicate", "{\"task\": TaskInfo, \"node\": NodeInfo}");
      TaskView task = null;
      NodeView node = null;
      while (nextField(p, "predicate body")) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        if (is(field, "task")) {
          task = readTask(p, t, "task", true, "");
          if (node != null && !nodeDetails) {
            break;
          }
        } else if (is(field, "node")) {
          // the fast path stops right after the node's Name when the task is already read
          boolean stopAfterName = !nodeDetails && task != null;
          node = readNode(p, t, "node", nodeDetails, !stopAfterName);
          if (stopAfterName) {
            break;
          }
        } else {
          p.skipChildren();
        }
      }
      if (task == null) {
        throw new RequestBodyException("predicate body has no \"task\"");
      }
      if (node == null) {
        throw new RequestBodyException("predicate body has no \"node\"");
      }
      return new PredicateRequest(task, node);
    } catch (JsonProcessingException e) {
      throw malformed("predicate", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  PrioritizeRequest readPrioritize(byte[] body, int offset, int length, boolean nodeDetails) {
    if (!nodeDetails) {
      return readPrioritizeNames(body, offset, length);
    }
    try (JsonParser p = factory.createParser(body, offset, length)) {
      startBody(p, "prioritize", "{\"task\": TaskInfo, \"nodes\": [NodeInfo...]}");
      TaskView task = null;
      List<NodeView> nodes = null;
      while (nextField(p, "prioritize body")) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        if (is(field, "task")) {
          task = readTask(p, t, "task", true, "");
        } else if (is(field, "nodes")) {
          nodes = readNodeArray(p, t);
        } else {
          p.skipChildren();
        }
      }
      return prioritizeRequest(task, nodes);
    } catch (JsonProcessingException e) {
      throw malformed("prioritize", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** allocate / deallocate: {@code {"task": TaskInfo}}. */
  TaskView readEventTask(byte[] body, int offset, int length, String verb) {
    try (JsonParser p = factory.createParser(body, offset, length)) {
      startBody(p, verb, "{\"task\": TaskInfo}");
      TaskView task = null;
      while (nextField(p, verb + " body")) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        if (is(field, "task")) {
          task = readTask(p, t, "task", true, "");
        } else {
          p.skipChildren();
        }
      }
      if (task == null) {
        throw new RequestBodyException(verb + " body has no \"task\"");
      }
      return task;
    } catch (JsonProcessingException e) {
      throw malformed(verb, e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** onSessionOpen: the detailed NodeInfos of {@code Nodes}; everything else (Jobs, Queues...) is skipped. */
  List<NodeView> readSessionNodes(byte[] body, int offset, int length) {
    try (JsonParser p = factory.createParser(body, offset, length)) {
      startBody(p, "onSessionOpen", "{\"Jobs\": {...}, \"Nodes\": {name: NodeInfo}, ...}");
      List<NodeView> nodes = new ArrayList<>();
      while (nextField(p, "onSessionOpen body")) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        if (is(field, "Nodes") && t != JsonToken.VALUE_NULL) {
          expect(t, JsonToken.START_OBJECT, "Nodes", "", "an object of NodeInfo by node name");
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.VALUE_NULL) {
              continue;
            }
            NodeView node = readNode(p, v, "Nodes", true, true);
            nodes.add(node.name().isEmpty() ? withName(node, name) : node);
          }
        } else {
          p.skipChildren();
        }
      }
      return nodes;
    } catch (JsonProcessingException e) {
      throw malformed("onSessionOpen", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // --------------------------------------------------------------------------- prioritize by names (scanner)

  private PrioritizeRequest readPrioritizeNames(byte[] body, int offset, int length) {
    JsonScanner s = new JsonScanner(body, offset, length);
    if (!s.hasMore()) {
      throw emptyBody("prioritize", "{\"task\": TaskInfo, \"nodes\": [NodeInfo...]}");
    }
    TaskView task = null;
    List<NodeView> nodes = null;
    s.expect('{', "prioritize body");
    if (!s.consume('}')) {
      do {
        String field = s.readString("prioritize body");
        s.expect(':', "prioritize body");
        if (is(field, "task")) {
          int start = s.position();
          task = readTaskAt(body, start, s.end() - start);
          s.skipValue("task");
        } else if (is(field, "nodes")) {
          nodes = scanNodeNames(s);
        } else {
          s.skipValue("prioritize body");
        }
      } while (s.nextMember('}', "prioritize body"));
    }
    return prioritizeRequest(task, nodes);
  }

  private TaskView readTaskAt(byte[] body, int offset, int length) {
    try (JsonParser p = factory.createParser(body, offset, length)) {
      return readTask(p, p.nextToken(), "task", true, "");
    } catch (JsonProcessingException e) {
      throw malformed("prioritize", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<NodeView> scanNodeNames(JsonScanner s) {
    if (s.consumeNull()) {
      return List.of();
    }
    s.expect('[', "nodes");
    List<NodeView> nodes = new ArrayList<>();
    if (s.consume(']')) {
      return nodes;
    }
    do {
      if (s.consumeNull()) {
        continue;
      }
      byte b = s.peek("nodes");
      if (b != '{') {
        throw new RequestBodyException("nodes[" + nodes.size() + "]: expected a NodeInfo object");
      }
      s.expect('{', "nodes");
      String name = null;
      if (!s.consume('}')) {
        do {
          String key = s.readString("nodes[" + nodes.size() + "]");
          s.expect(':', "nodes[" + nodes.size() + "]");
          if (is(key, "Name")) {
            if (s.peek("nodes") != '"') {
              throw new RequestBodyException("nodes[" + nodes.size() + "].Name: expected a string");
            }
            name = s.readString("nodes[" + nodes.size() + "].Name");
            s.skipRestOfContainer("nodes[" + nodes.size() + "]");
            break;
          }
          s.skipValue("nodes[" + nodes.size() + "]");
        } while (s.nextMember('}', "nodes[" + nodes.size() + "]"));
      }
      if (name == null || name.isEmpty()) {
        throw new RequestBodyException("nodes[" + nodes.size() + "] has no \"Name\"");
      }
      nodes.add(NodeView.named(name));
    } while (s.nextMember(']', "nodes"));
    return nodes;
  }

  // ------------------------------------------------------------------------------------------- TaskInfo, Pod

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

  // ---------------------------------------------------------------------------------------------- NodeInfo

  private List<NodeView> readNodeArray(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return List.of();
    }
    expect(t, JsonToken.START_ARRAY, "nodes", "", "an array of NodeInfo");
    List<NodeView> nodes = new ArrayList<>();
    JsonToken e;
    while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
      if (e == JsonToken.VALUE_NULL) {
        continue;
      }
      nodes.add(readNode(p, e, "nodes", true, true));
    }
    return nodes;
  }

  /**
   * Reads a NodeInfo; the parser is on its START_OBJECT.
   *
   * @param details read the node's annotations, allocatable and Tasks; otherwise only {@code Name}
   * @param finishObject when false (names only), return right after {@code Name} leaving the rest of the body
   *     unread: the caller must stop parsing
   */
  private NodeView readNode(JsonParser p, @Nullable JsonToken t, String path, boolean details,
      boolean finishObject) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      throw new RequestBodyException(path + " is null");
    }
    expect(t, JsonToken.START_OBJECT, path, "", "a NodeInfo object");
    String name = "";
    if (!details) {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        if (is(field, "Name")) {
          name = string(p, v, path, ".Name");
          if (!finishObject) {
            break;
          }
        } else {
          p.skipChildren();
        }
      }
      if (name.isEmpty()) {
        throw new RequestBodyException(path + " has no \"Name\"");
      }
      return NodeView.named(name);
    }
    String objectName = "";
    Map<String, String> annotations = Map.of();
    Map<String, String> allocatable = Map.of();
    List<PodView> pods = List.of();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      if (is(field, "Name")) {
        name = string(p, v, path, ".Name");
      } else if (is(field, "Node") && v != JsonToken.VALUE_NULL) {
        expect(v, JsonToken.START_OBJECT, path, ".Node", "a Node object");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String n = p.currentName();
          JsonToken nv = p.nextToken();
          if (is(n, "metadata") && nv != JsonToken.VALUE_NULL) {
            expect(nv, JsonToken.START_OBJECT, path, ".Node.metadata", "an object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String m = p.currentName();
              JsonToken mv = p.nextToken();
              if (is(m, "annotations")) {
                annotations = readStringMap(p, mv, path, ".Node.metadata.annotations");
              } else if (is(m, "name")) {
                objectName = string(p, mv, path, ".Node.metadata.name");
              } else {
                p.skipChildren();
              }
            }
          } else if (is(n, "status") && nv != JsonToken.VALUE_NULL) {
            expect(nv, JsonToken.START_OBJECT, path, ".Node.status", "an object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String s = p.currentName();
              JsonToken sv = p.nextToken();
              if (is(s, "allocatable")) {
                allocatable = readStringMap(p, sv, path, ".Node.status.allocatable");
              } else {
                p.skipChildren();
              }
            }
          } else {
            p.skipChildren();
          }
        }
      } else if (is(field, "Tasks") && v != JsonToken.VALUE_NULL) {
        expect(v, JsonToken.START_OBJECT, path, ".Tasks", "an object of TaskInfo by task UID");
        String tasksPath = path + ".Tasks";
        List<PodView> list = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String taskUid = p.currentName();
          JsonToken tv = p.nextToken();
          if (tv == JsonToken.VALUE_NULL) {
            continue;
          }
          list.add(readTask(p, tv, tasksPath, false, taskUid).pod());
        }
        pods = List.copyOf(list);
      } else {
        p.skipChildren();
      }
    }
    if (name.isEmpty()) {
      name = objectName;
    }
    if (name.isEmpty()) {
      throw new RequestBodyException(path + " has no \"Name\"");
    }
    return NodeView.of(name, annotations, allocatable, pods);
  }

  private static NodeView withName(NodeView node, String name) {
    return new NodeView(name, node.annotations(), node.allocatable(), node.pods(), node.detailed());
  }

  // ----------------------------------------------------------------------------------------------- helpers

  private static PrioritizeRequest prioritizeRequest(@Nullable TaskView task, @Nullable List<NodeView> nodes) {
    if (task == null) {
      throw new RequestBodyException("prioritize body has no \"task\"");
    }
    if (nodes == null) {
      throw new RequestBodyException("prioritize body has no \"nodes\"");
    }
    return new PrioritizeRequest(task, nodes);
  }

  private static void startBody(JsonParser p, String verb, String shape) throws IOException {
    JsonToken t = p.nextToken();
    if (t == null) {
      throw emptyBody(verb, shape);
    }
    if (t != JsonToken.START_OBJECT) {
      throw new RequestBodyException(
          verb + " body: expected a JSON object " + shape + ", got " + describe(t));
    }
  }

  private static RequestBodyException emptyBody(String verb, String shape) {
    return new RequestBodyException("empty " + verb + " body: expected a JSON object " + shape);
  }

  /** Advances to the next member of the current object: true on FIELD_NAME, false on END_OBJECT. */
  private static boolean nextField(JsonParser p, String where) throws IOException {
    JsonToken t = p.nextToken();
    if (t == JsonToken.FIELD_NAME) {
      return true;
    }
    if (t == JsonToken.END_OBJECT) {
      return false;
    }
    throw new RequestBodyException("unexpected end of " + where);
  }

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

  private static RequestBodyException malformed(String verb, JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    String where =
        at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    return new RequestBodyException("malformed JSON in " + verb + " body" + where + ": " + e.getOriginalMessage());
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
