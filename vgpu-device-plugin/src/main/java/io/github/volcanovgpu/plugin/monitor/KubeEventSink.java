package io.github.volcanovgpu.plugin.monitor;

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
 * Warning Events through the API server, recorded as the kubelet records them: a pod's in its namespace with the
 * pod's UID ({@code kubectl describe pod} shows them), the node's in {@code default} with the node's name as UID.
 */
public final class KubeEventSink implements EventSink {
  /** The Events' source component. */
  public static final String COMPONENT = "volcano-vgpu-monitor";

  private final CoreV1Api api;
  private final String node;
  private final Clock clock;

  public KubeEventSink(ApiClient client, String node, Clock clock) {
    KubeJson.ignoreUnknownFields();
    this.api = new CoreV1Api(Objects.requireNonNull(client, "client"));
    this.node = Objects.requireNonNull(node, "node");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void onPod(String namespace, String pod, String podUid, String reason, String message) {
    post(namespace, new V1ObjectReference().apiVersion("v1").kind("Pod").namespace(namespace).name(pod).uid(podUid),
        pod, reason, message);
  }

  @Override
  public void onNode(String reason, String message) {
    post("default", new V1ObjectReference().apiVersion("v1").kind("Node").name(node).uid(node), node, reason,
        message);
  }

  private void post(String namespace, V1ObjectReference about, String name, String reason, String message) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    CoreV1Event event = new CoreV1Event()
        .metadata(new V1ObjectMeta().generateName(name + ".").namespace(namespace))
        .involvedObject(about)
        .type("Warning")
        .reason(reason)
        .message(message)
        .source(new V1EventSource().component(COMPONENT).host(node))
        .firstTimestamp(now)
        .lastTimestamp(now)
        .count(1);
    try {
      api.createNamespacedEvent(namespace, event).execute();
    } catch (ApiException e) {
      throw new IllegalStateException("cannot record event " + reason + " on " + about.getKind() + " " + namespace
          + "/" + name + ": " + (e.getCode() == 0 ? "API server unreachable: " + e.getMessage()
              : "HTTP " + e.getCode()),
          e);
    }
  }
}
