package io.github.volcanovgpu.plugin.allocate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.volcanovgpu.process.kube.KubeJson;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.util.PatchUtils;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@link PodSource} on the API server through client-java's {@link CoreV1Api}. Pods are listed with the field
 * selector {@code spec.nodeName=<node>,status.phase=Pending}; writes are JSON merge patches
 * ({@code application/merge-patch+json}) carrying {@code metadata.uid} and {@code metadata.resourceVersion} as
 * preconditions (409 Conflict / 422 when they no longer hold).
 */
public final class KubePodSource implements PodSource {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Attempts to remove the node lock when the node changes concurrently. */
  private static final int LOCK_ATTEMPTS = 3;

  /** Own writes remembered so a watch that has not delivered them yet is not read as current. */
  private static final int OWN_WRITES = 64;

  private final ApiClient client;
  private final CoreV1Api api;
  private final @Nullable NodePodWatch watch;
  /** Pod UID → the resourceVersion we patched from and the pod our patch returned (insertion-ordered, bounded). */
  private final Map<String, OwnWrite> ownWrites = new LinkedHashMap<>();

  private record OwnWrite(String fromVersion, PodSnapshot after) {}

  /**
   * @param client a request client with a bounded read timeout; this also makes client-java ignore unknown JSON
   *     fields process-wide ({@link KubeJson})
   */
  public KubePodSource(ApiClient client) {
    this(client, null);
  }

  /**
   * @param watch the node's pod watch answering {@link #watchedPendingPodsOnNode}; null to always LIST
   */
  public KubePodSource(ApiClient client, @Nullable NodePodWatch watch) {
    KubeJson.ignoreUnknownFields();
    this.client = Objects.requireNonNull(client, "client");
    this.api = new CoreV1Api(client);
    this.watch = watch;
  }

  /**
   * The watch's Pending pods, where a pod still shows the version one of our own patches started from replaced by
   * what that patch returned (the watch event is on its way). The API server when the watch has not synced.
   */
  @Override
  public List<PodSnapshot> watchedPendingPodsOnNode(String node) {
    Optional<List<PodSnapshot>> cached = watch == null ? Optional.empty() : watch.pendingPods();
    if (cached.isEmpty()) {
      return pendingPodsOnNode(node);
    }
    List<PodSnapshot> out = new ArrayList<>(cached.get().size());
    synchronized (ownWrites) {
      for (PodSnapshot pod : cached.get()) {
        OwnWrite mine = ownWrites.get(pod.uid());
        out.add(mine != null && mine.fromVersion().equals(pod.resourceVersion()) ? mine.after() : pod);
      }
    }
    return out;
  }

  @Override
  public List<PodSnapshot> pendingPodsOnNode(String node) {
    String selector = "spec.nodeName=" + node + ",status.phase=" + PodSnapshot.PENDING;
    try {
      V1PodList list = api.listPodForAllNamespaces().fieldSelector(selector).execute();
      List<PodSnapshot> out = new ArrayList<>();
      for (V1Pod pod : list.getItems()) {
        out.add(snapshot(pod));
      }
      return out;
    } catch (ApiException e) {
      throw failure("cannot list pods with " + selector, e);
    } catch (RuntimeException e) {
      throw unexpected("cannot list pods with " + selector, e);
    }
  }

  @Override
  public PodSnapshot readPod(String namespace, String name) {
    try {
      return snapshot(api.readNamespacedPod(name, namespace).execute());
    } catch (ApiException e) {
      throw failure("cannot read pod " + namespace + "/" + name, e);
    } catch (RuntimeException e) {
      throw unexpected("cannot read pod " + namespace + "/" + name, e);
    }
  }

  @Override
  public PodSnapshot patchAnnotations(PodSnapshot observed, Map<String, Optional<String>> changes) {
    Map<String, @Nullable String> annotations = new LinkedHashMap<>();
    changes.forEach((key, value) -> annotations.put(key, value.orElse(null)));
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("uid", observed.uid());
    metadata.put("resourceVersion", observed.resourceVersion());
    metadata.put("annotations", annotations);
    String what = "cannot patch annotations " + changes.keySet() + " of pod " + observed.key();
    try {
      V1Pod patched = PatchUtils.patch(
          V1Pod.class,
          () -> api.patchNamespacedPod(observed.name(), observed.namespace(), new V1Patch(json(metadata)))
              .buildCall(null),
          V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
          client);
      PodSnapshot after = snapshot(patched);
      synchronized (ownWrites) {
        ownWrites.remove(after.uid());
        ownWrites.put(after.uid(), new OwnWrite(observed.resourceVersion(), after));
        if (ownWrites.size() > OWN_WRITES) {
          ownWrites.remove(ownWrites.keySet().iterator().next());
        }
      }
      return after;
    } catch (ApiException e) {
      throw failure(what, e);
    } catch (RuntimeException e) {
      throw unexpected(what, e);
    }
  }

  @Override
  public boolean releaseNodeLock(String node, String lockKey) {
    String what = "cannot release node lock " + lockKey + " of node " + node;
    for (int attempt = 1;; attempt++) {
      try {
        V1Node current = api.readNode(node).execute();
        V1ObjectMeta meta = current.getMetadata();
        Map<String, String> annotations = meta == null ? null : meta.getAnnotations();
        if (annotations == null || !annotations.containsKey(lockKey)) {
          return false;
        }
        Map<String, @Nullable String> remove = new HashMap<>();
        remove.put(lockKey, null);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("resourceVersion", meta.getResourceVersion());
        metadata.put("annotations", remove);
        PatchUtils.patch(
            V1Node.class,
            () -> api.patchNode(node, new V1Patch(json(metadata))).buildCall(null),
            V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
            client);
        return true;
      } catch (ApiException e) {
        PodSourceException f = failure(what, e);
        if (f.kind() != PodSourceException.Kind.CONFLICT || attempt >= LOCK_ATTEMPTS) {
          throw f;
        }
      } catch (RuntimeException e) {
        throw unexpected(what, e);
      }
    }
  }

  static PodSnapshot snapshot(V1Pod pod) {
    V1ObjectMeta meta = Objects.requireNonNull(pod.getMetadata(), "pod without metadata");
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    long created = meta.getCreationTimestamp() == null ? 0 : meta.getCreationTimestamp().toEpochSecond();
    return new PodSnapshot(
        orEmpty(meta.getNamespace()),
        orEmpty(meta.getName()),
        orEmpty(meta.getUid()),
        orEmpty(meta.getResourceVersion()),
        orEmpty(phase),
        orEmpty(nodeName),
        created,
        meta.getAnnotations() == null ? Map.of() : meta.getAnnotations(),
        containers(pod.getSpec() == null ? null : pod.getSpec().getInitContainers()),
        containers(pod.getSpec() == null ? null : pod.getSpec().getContainers()));
  }

  private static List<PodSnapshot.Container> containers(@Nullable List<V1Container> containers) {
    List<PodSnapshot.Container> out = new ArrayList<>();
    if (containers == null) {
      return out;
    }
    for (V1Container c : containers) {
      Map<String, String> limits = new HashMap<>();
      Map<String, Quantity> quantities = c.getResources() == null ? null : c.getResources().getLimits();
      if (quantities != null) {
        quantities.forEach((key, value) -> limits.put(key, value.getNumber().toPlainString()));
      }
      Set<String> envNames = new HashSet<>();
      if (c.getEnv() != null) {
        for (V1EnvVar env : c.getEnv()) {
          envNames.add(env.getName());
        }
      }
      out.add(new PodSnapshot.Container(orEmpty(c.getName()), limits, envNames));
    }
    return out;
  }

  private static String json(Map<String, Object> metadata) {
    try {
      return JSON.writeValueAsString(Map.of("metadata", metadata));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a merge patch", e);
    }
  }

  /** Maps an API failure to a {@link PodSourceException} whose message has the HTTP status and the server's reason. */
  static PodSourceException failure(String what, ApiException e) {
    int code = e.getCode();
    if (code == 0) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return new PodSourceException(PodSourceException.Kind.UNAVAILABLE,
          what + ": API server unreachable (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")", e);
    }
    String message = statusMessage(e.getResponseBody());
    String described = what + ": HTTP " + code + (message.isEmpty() ? "" : " " + message);
    PodSourceException.Kind kind;
    if (code == 404) {
      kind = PodSourceException.Kind.NOT_FOUND;
    } else if (code == 409 || (code == 422 && message.contains("metadata.uid"))) {
      kind = PodSourceException.Kind.CONFLICT;
    } else if (code == 429 || code >= 500) {
      kind = PodSourceException.Kind.UNAVAILABLE;
    } else {
      kind = PodSourceException.Kind.OTHER;
    }
    return new PodSourceException(kind, described, e);
  }

  private static PodSourceException unexpected(String what, RuntimeException e) {
    return new PodSourceException(PodSourceException.Kind.OTHER,
        what + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
  }

  private static String statusMessage(@Nullable String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    try {
      JsonNode status = JSON.readTree(body);
      JsonNode reason = status.get("reason");
      JsonNode message = status.get("message");
      String r = reason == null || reason.isNull() ? "" : reason.asText();
      String m = message == null || message.isNull() ? "" : message.asText();
      return (r + (r.isEmpty() || m.isEmpty() ? "" : ": ") + m).trim();
    } catch (IOException notJson) {
      return body.length() > 200 ? body.substring(0, 200) + "..." : body;
    }
  }

  private static String orEmpty(@Nullable String value) {
    return value == null ? "" : value;
  }
}
