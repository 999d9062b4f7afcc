package io.github.volcanovgpu.plugin.register;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.bridge.kube.KubeFixtures;
import io.github.volcanovgpu.bridge.kube.RealApiServer;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

@RealApiServer
class KubeNodeAnnotatorIT {
  private final ApiClient client;
  private final CoreV1Api api;
  private final TestNamespace ns;

  KubeNodeAnnotatorIT(ApiClient client, CoreV1Api api, TestNamespace ns) {
    this.client = client;
    this.api = api;
    this.ns = ns;
  }

  @Test
  void publisherWritesTheRegisterAnnotationOnceAndRemovesNothingElse() throws Exception {
    String node = ns.nodeName("reg");
    KubeFixtures.createNode(api, KubeFixtures.node(ns, node, Map.of("keep", "me"), Map.of("cpu", "4")));
    KubeNodeAnnotator annotator = new KubeNodeAnnotator(client);
    RegistrationPublisher p = new RegistrationPublisher(node, annotator,
        () -> "GPU-a,10,40960,NVIDIA-NVIDIA A100-PCIE-40GB,true,hami-core:", false, Clock.systemUTC());
    assertThat(p.publish()).isTrue();
    assertThat(p.publish()).isFalse();
    Map<String, String> a = api.readNode(node).execute().getMetadata().getAnnotations();
    assertThat(a).containsEntry("keep", "me")
        .containsEntry(VgpuAnnotations.NODE_REGISTER, "GPU-a,10,40960,NVIDIA-NVIDIA A100-PCIE-40GB,true,hami-core:");

    annotator.patch(node, Map.of("keep", Optional.empty()));
    assertThat(annotator.annotations(node)).doesNotContainKey("keep");
  }

  @Test
  void missingNodeIsAClearError() {
    KubeNodeAnnotator annotator = new KubeNodeAnnotator(client);
    assertThatThrownBy(() -> annotator.annotations(ns.nodeName("ghost")))
        .isInstanceOf(NodeAnnotator.NodeAnnotationException.class)
        .hasMessageContaining("cannot read node " + ns.nodeName("ghost"))
        .hasMessageContaining("HTTP 404");
  }
}
