package io.github.volcanovgpu.bridge.extender;

/**
 * The members of Volcano's extender requests that the sidecar reads, spelled as Volcano's scheduler writes them (Go
 * {@code encoding/json}): the json tags of its request structs ({@code pkg/scheduler/plugins/extender/argument.go}),
 * the Go field names of {@code api.TaskInfo} and {@code api.NodeInfo} (they have no json tags), and Kubernetes' json
 * names in the Pod and Node objects they carry. The one list both sides use: the sidecar's reader matches these names
 * (ignoring case, as Go's decoder does) and the Volcano stand-in of {@code simulate} writes them. The bodies captured
 * from the real vc-scheduler (test goldens {@code golden/volcano/requests/}) carry every one of them.
 *
 * <p>The answers' member names are in {@link VolcanoResponses}, next to their encoder and decoder.
 */
public final class VolcanoWire {
  private VolcanoWire() {}

  /** Members of the request bodies. */
  public static final class Request {
    /** predicate, prioritize, allocateFunc, deallocateFunc: {@code *api.TaskInfo `json:"task"`}. */
    public static final String TASK = "task";
    /** predicate: {@code *api.NodeInfo `json:"node"`}. */
    public static final String NODE = "node";
    /** prioritize: {@code []*api.NodeInfo `json:"nodes"`}. */
    public static final String NODES = "nodes";
    /** preemptable, reclaimable: {@code *api.TaskInfo `json:"evictor"`}. */
    public static final String EVICTOR = "evictor";
    /** preemptable, reclaimable: {@code []*api.TaskInfo `json:"evictees"`}. */
    public static final String EVICTEES = "evictees";
    /** onSessionOpen: {@code Nodes map[string]*api.NodeInfo} (no json tag). */
    public static final String SESSION_NODES = "Nodes";

    private Request() {}
  }

  /** Members of {@code api.TaskInfo}. */
  public static final class Task {
    public static final String UID = "UID";
    public static final String NAME = "Name";
    public static final String NAMESPACE = "Namespace";
    public static final String NODE_NAME = "NodeName";
    /** {@code TaskStatus}, an integer ({@link io.github.volcanovgpu.bridge.model.TaskStatus}). */
    public static final String STATUS = "Status";
    public static final String POD = "Pod";
    /** Volcano 1.16 and later. */
    public static final String POD_ANNOTATIONS = "PodAnnotations";

    private Task() {}
  }

  /** Members of {@code api.NodeInfo}. */
  public static final class Node {
    public static final String NAME = "Name";
    /** The Kubernetes Node object. */
    public static final String NODE = "Node";
    /** {@code map[TaskID]*TaskInfo}: the pods on the node. */
    public static final String TASKS = "Tasks";

    private Node() {}
  }

  /** Members of the Kubernetes Pod and Node objects (core/v1 json names). */
  public static final class Kube {
    public static final String METADATA = "metadata";
    public static final String SPEC = "spec";
    public static final String STATUS = "status";
    public static final String NAME = "name";
    public static final String NAMESPACE = "namespace";
    public static final String UID = "uid";
    public static final String ANNOTATIONS = "annotations";
    public static final String RESOURCE_VERSION = "resourceVersion";
    public static final String CONTAINERS = "containers";
    public static final String INIT_CONTAINERS = "initContainers";
    /** {@code spec.nodeName} of a pod. */
    public static final String NODE_NAME = "nodeName";
    /** {@code status.phase} of a pod. */
    public static final String PHASE = "phase";
    /** {@code status.allocatable} of a node. */
    public static final String ALLOCATABLE = "allocatable";
    public static final String RESOURCES = "resources";
    public static final String LIMITS = "limits";
    public static final String REQUESTS = "requests";

    private Kube() {}
  }
}
