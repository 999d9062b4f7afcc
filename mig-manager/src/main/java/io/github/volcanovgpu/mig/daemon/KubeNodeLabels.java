package io.github.volcanovgpu.mig.daemon;

import com.google.gson.Gson;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.util.PatchUtils;
import java.util.Map;
import java.util.Objects;

/** {@link NodeLabels} of one node over the API server: GET, and a JSON merge patch of {@code metadata.labels}. */
public final class KubeNodeLabels implements NodeLabels {
  private final ApiClient client;
  private final CoreV1Api api;
  private final String node;

  public KubeNodeLabels(ApiClient client, String node) {
    this.client = Objects.requireNonNull(client, "client");
    this.api = new CoreV1Api(client);
    this.node = Objects.requireNonNull(node, "node");
  }

  @Override
  public Map<String, String> labels() {
    try {
      V1Node n = api.readNode(node).execute();
      Map<String, String> l = n.getMetadata() == null ? null : n.getMetadata().getLabels();
      return l == null ? Map.of() : Map.copyOf(l);
    } catch (ApiException e) {
      throw new NodeLabelException("cannot read node " + node + ": " + describe(e), e);
    }
  }

  @Override
  public void set(Map<String, String> labels) {
    String body = new Gson().toJson(Map.of("metadata", Map.of("labels", labels)));
    try {
      PatchUtils.patch(V1Node.class, () -> api.patchNode(node, new V1Patch(body)).buildCall(null),
          V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client);
    } catch (ApiException e) {
      throw new NodeLabelException("cannot label node " + node + ": " + describe(e), e);
    }
  }

  private static String describe(ApiException e) {
    if (e.getCode() == 0) {
      return "API server unreachable: " + e.getMessage();
    }
    String body = e.getResponseBody() == null ? "" : e.getResponseBody();
    return "HTTP " + e.getCode() + " " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
  }
}
