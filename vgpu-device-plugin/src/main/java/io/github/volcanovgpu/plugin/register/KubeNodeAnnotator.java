package io.github.volcanovgpu.plugin.register;

import io.github.volcanovgpu.process.kube.KubeJson;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.util.PatchUtils;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@link NodeAnnotator} over the API server: GET node, JSON merge patch of {@code metadata.annotations}. */
public final class KubeNodeAnnotator implements NodeAnnotator {
  private final ApiClient client;
  private final CoreV1Api api;

  public KubeNodeAnnotator(ApiClient client) {
    KubeJson.ignoreUnknownFields();
    this.client = client;
    this.api = new CoreV1Api(client);
  }

  @Override
  public Map<String, String> annotations(String node) {
    try {
      V1Node n = api.readNode(node).execute();
      Map<String, String> a = n.getMetadata() == null ? null : n.getMetadata().getAnnotations();
      return a == null ? Map.of() : Map.copyOf(a);
    } catch (ApiException e) {
      throw new NodeAnnotationException("cannot read node " + node + ": " + describe(e), e);
    }
  }

  @Override
  public void patch(String node, Map<String, Optional<String>> changes) {
    Map<String, Object> annotations = new LinkedHashMap<>();
    changes.forEach((k, v) -> annotations.put(k, v.orElse(null)));
    String body = new com.google.gson.GsonBuilder().serializeNulls().create()
        .toJson(Map.of("metadata", Map.of("annotations", annotations)));
    try {
      PatchUtils.patch(V1Node.class, () -> api.patchNode(node, new V1Patch(body)).buildCall(null),
          V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client);
    } catch (ApiException e) {
      throw new NodeAnnotationException("cannot patch node " + node + ": " + describe(e), e);
    }
  }

  private static String describe(ApiException e) {
    return e.getCode() == 0 ? "API server unreachable: " + e.getMessage()
        : "HTTP " + e.getCode() + " " + firstLine(e.getResponseBody());
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }
}
