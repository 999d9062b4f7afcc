package io.github.volcanovgpu.plugin.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.bridge.kube.KubeFixtures;
import io.github.volcanovgpu.bridge.kube.RealApiServer;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1Pod;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The monitor's Events as the real API server stores them: where {@code kubectl describe pod/node} finds them. */
@RealApiServer
class KubeEventSinkIT {
  private final ApiClient client;
  private final CoreV1Api api;
  private final TestNamespace ns;

  KubeEventSinkIT(ApiClient client, CoreV1Api api, TestNamespace ns) {
    this.client = client;
    this.api = api;
    this.ns = ns;
  }

  @Test
  void aShareExceededIsAWarningOnThePodWithItsUid() throws Exception {
    V1Pod pod = KubeFixtures.createPod(api, KubeFixtures.pod(ns.name(), "trainer", ns.nodeName("n1"),
        Map.of("volcano.sh/vgpu-number", "1")));
    String uid = pod.getMetadata().getUid();
    RecordingEventSink recorded = new RecordingEventSink();
    KubeEventSink sink = new KubeEventSink(client, ns.nodeName("n1"), Clock.systemUTC());
    UsageFinding exceeded = new UsageFinding.ShareExceeded(new ContainerCard(ns.name(), "trainer", uid, "main", 0,
        "GPU-a", 1500L << 20, 1024L << 20, 0, 0), 1500L << 20, 1024L << 20);

    new FindingEvents(sink).report(List.of(exceeded));
    new FindingEvents(recorded).report(List.of(exceeded));

    List<CoreV1Event> events = api.listNamespacedEvent(ns.name())
        .fieldSelector("involvedObject.kind=Pod,involvedObject.name=trainer").execute().getItems();
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getReason()).isEqualTo(FindingEvents.SHARE_EXCEEDED);
      assertThat(e.getInvolvedObject().getUid()).isEqualTo(uid);
      assertThat(e.getSource().getComponent()).isEqualTo(KubeEventSink.COMPONENT);
      assertThat(recorded.events.get(0)).endsWith(e.getMessage());
    });
  }

  @Test
  void anUnexplainedProcessIsAWarningOnTheNode() throws Exception {
    String node = ns.nodeName("n2");
    new FindingEvents(new KubeEventSink(client, node, Clock.systemUTC()))
        .report(List.of(new UsageFinding.UnexplainedProcess("GPU-a", 4242, 64L << 20)));

    List<CoreV1Event> events = api.listNamespacedEvent("default")
        .fieldSelector("involvedObject.kind=Node,involvedObject.name=" + node).execute().getItems();
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.getReason()).isEqualTo(FindingEvents.UNEXPLAINED);
      assertThat(e.getMessage()).startsWith("process 4242 uses 64.0 MiB on GPU-a");
    });
  }

  @Test
  void anEventInANamespaceThatDoesNotExistIsAClearError() {
    KubeEventSink sink = new KubeEventSink(client, "n", Clock.systemUTC());
    assertThatThrownBy(() -> sink.onPod(ns.name() + "-gone", "p", "uid", "R", "m"))
        .hasMessage("cannot record event R on Pod " + ns.name() + "-gone/p: HTTP 404");
  }
}
