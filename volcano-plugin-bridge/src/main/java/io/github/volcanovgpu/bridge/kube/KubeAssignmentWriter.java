package io.github.volcanovgpu.bridge.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.scheduling.AssignmentWriter;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.util.PatchUtils;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes assignment annotations with a JSON merge patch ({@code application/merge-patch+json}) of the pod's
 * {@code metadata.annotations}; a {@code null} value removes a key. The patch carries the pod's UID when known, so a
 * pod deleted and re-created under the same name is never given another pod's devices (the API server refuses the
 * patch with 422, {@code metadata.uid: field is immutable}).
 */
public final class KubeAssignmentWriter implements AssignmentWriter {
  private static final Logger LOG = LoggerFactory.getLogger(KubeAssignmentWriter.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ApiClient client;
  private final CoreV1Api api;

  /** @param client a request client ({@link KubeClients#requests()}) */
  public KubeAssignmentWriter(ApiClient client) {
    this.client = client;
    this.api = new CoreV1Api(client);
  }

  @Override
  public void patchAnnotations(PodView pod, Map<String, Optional<String>> changes) {
    if (changes.isEmpty()) {
      return;
    }
    V1Patch patch = new V1Patch(mergePatch(pod, changes));
    try {
      PatchUtils.patch(
          V1Pod.class,
          () -> api.patchNamespacedPod(pod.name(), pod.namespace(), patch).buildCall(null),
          V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
          client);
      LOG.debug("patched annotations {} of pod {}", changes.keySet(), pod.key());
    } catch (ApiException e) {
      throw new AssignmentWriteException(message(pod, ApiFailure.of(e)), e);
    } catch (RuntimeException e) {
      // okhttp / JSON failures not wrapped by the client
      throw new AssignmentWriteException(
          "cannot write vGPU annotations of pod " + pod.key() + ": " + e.getClass().getSimpleName() + ": "
              + e.getMessage(),
          e);
    }
  }

  /** {@code {"metadata":{"uid":..., "annotations":{k: v | null}}}}. */
  static String mergePatch(PodView pod, Map<String, Optional<String>> changes) {
    Map<String, String> annotations = new LinkedHashMap<>();
    changes.forEach((key, value) -> annotations.put(key, value.orElse(null)));
    Map<String, Object> metadata = new LinkedHashMap<>();
    if (!pod.uid().isEmpty()) {
      metadata.put("uid", pod.uid());
    }
    metadata.put("annotations", annotations);
    try {
      return JSON.writeValueAsString(Map.of("metadata", metadata));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise annotations patch", e);
    }
  }

  private static String message(PodView pod, ApiFailure failure) {
    String prefix = "cannot write vGPU annotations of pod " + pod.key() + ": ";
    if (failure.isNotFound()) {
      return prefix + "pod not found (" + failure.describe() + ")";
    }
    if (failure.isConflict()) {
      return prefix + "conflict (" + failure.describe() + ")";
    }
    if (failure.httpStatus() == 422 && failure.message().contains("metadata.uid")) {
      return prefix + "the pod was deleted and re-created, its uid is no longer " + pod.uid() + " ("
          + failure.describe() + ")";
    }
    return prefix + failure.describe();
  }
}
