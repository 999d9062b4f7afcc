package io.github.volcanovgpu.plugin.register;

import io.github.volcanovgpu.process.kube.KubeJson;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1EventSource;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * Warning Events about this node, recorded as the kubelet records a node's events (namespace {@code default}, the
 * involved object's UID the node's name), so {@code kubectl describe node} and {@code kubectl get events} show them.
 */
public final class KubeNodeEvents {
  /** The Events' source component. */
  public static final String COMPONENT = "volcano-vgpu-device-plugin";
  /** Where a cluster-scoped object's events go. */
  static final String NAMESPACE = "default";

  private final CoreV1Api api;
  private final Clock clock;

  public KubeNodeEvents(ApiClient client, Clock clock) {
    KubeJson.ignoreUnknownFields();
    this.api = new CoreV1Api(Objects.requireNonNull(client, "client"));
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Records one Warning Event on {@code node}.
   *
   * @throws NodeAnnotator.NodeAnnotationException when the API server refuses it or cannot be reached
   */
  public void warning(String node, String reason, String message) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    CoreV1Event event = new CoreV1Event()
        .metadata(new V1ObjectMeta().generateName(node + ".").namespace(NAMESPACE))
        .involvedObject(new V1ObjectReference().apiVersion("v1").kind("Node").name(node).uid(node))
        .type("Warning")
        .reason(reason)
        .message(message)
        .source(new V1EventSource().component(COMPONENT).host(node))
        .firstTimestamp(now)
        .lastTimestamp(now)
        .count(1);
    try {
      api.createNamespacedEvent(NAMESPACE, event).execute();
    } catch (ApiException e) {
      throw new NodeAnnotator.NodeAnnotationException("cannot record event " + reason + " on node " + node + ": "
          + (e.getCode() == 0 ? "API server unreachable: " + e.getMessage() : "HTTP " + e.getCode()), e);
    }
  }
}
