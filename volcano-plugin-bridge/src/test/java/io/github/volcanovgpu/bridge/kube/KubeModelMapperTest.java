package io.github.volcanovgpu.bridge.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.bridge.kube.KubeModelMapper.NodeBase;
import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubeModelMapperTest {
  private static V1Pod gpuPod() {
    return new V1Pod()
        .metadata(new V1ObjectMeta()
            .uid("uid-1").namespace("team-a").name("trainer").resourceVersion("42")
            .annotations(Map.of("volcano.sh/vgpu-node", "gpu-1")))
        .spec(new V1PodSpec()
            .nodeName("gpu-1")
            .addInitContainersItem(new V1Container().name("init").image("busybox")
                .resources(new V1ResourceRequirements().limits(Map.of("volcano.sh/vgpu-number", new Quantity("1")))))
            .addContainersItem(new V1Container().name("main").image("cuda")
                .resources(new V1ResourceRequirements()
                    .limits(Map.of("volcano.sh/vgpu-number", new Quantity("2"),
                        "volcano.sh/vgpu-memory", new Quantity("3000")))
                    .requests(Map.of("cpu", new Quantity("500m"), "memory", new Quantity("1Gi")))))
            .addContainersItem(new V1Container().name("sidecar").image("envoy")))
        .status(new V1PodStatus().phase("Running"));
  }

  @Test
  void podViewCarriesIdentityPlacementPhaseAndResourceVersion() {
    PodView view = KubeModelMapper.podView(gpuPod());

    assertThat(view.uid()).isEqualTo("uid-1");
    assertThat(view.key()).isEqualTo("team-a/trainer");
    assertThat(view.nodeName()).isEqualTo("gpu-1");
    assertThat(view.phase()).isEqualTo("Running");
    assertThat(view.resourceVersion()).isEqualTo("42");
    assertThat(view.annotations()).containsExactly(Map.entry("volcano.sh/vgpu-node", "gpu-1"));
  }

  @Test
  void podViewWritesLimitsAndRequestsAsCanonicalQuantityStrings() {
    PodView view = KubeModelMapper.podView(gpuPod());

    assertThat(view.containers()).extracting(ContainerView::name).containsExactly("main", "sidecar");
    ContainerView main = view.containers().get(0);
    // the API server canonicalises 3000 to 3k as well, so consumers must parse suffixed quantities
    assertThat(main.limits()).containsOnly(
        Map.entry("volcano.sh/vgpu-number", "2"), Map.entry("volcano.sh/vgpu-memory", "3k"));
    assertThat(main.requests()).containsOnly(Map.entry("cpu", "500m"), Map.entry("memory", "1Gi"));
    assertThat(view.containers().get(1).limits()).isEmpty();
    assertThat(view.containers().get(1).requests()).isEmpty();
  }

  @Test
  void podViewKeepsInitContainersApart() {
    PodView view = KubeModelMapper.podView(gpuPod());

    assertThat(view.initContainers()).singleElement().satisfies(init -> {
      assertThat(init.name()).isEqualTo("init");
      assertThat(init.limits()).containsExactly(Map.entry("volcano.sh/vgpu-number", "1"));
    });
  }

  @Test
  void unboundPodWithoutStatusHasEmptyNodeNameAndPhase() {
    V1Pod pod = new V1Pod()
        .metadata(new V1ObjectMeta().uid("u").namespace("ns").name("pending"))
        .spec(new V1PodSpec().addContainersItem(new V1Container().name("c").image("x")));

    PodView view = KubeModelMapper.podView(pod);

    assertThat(view.nodeName()).isEmpty();
    assertThat(view.phase()).isEmpty();
    assertThat(view.resourceVersion()).isEmpty();
    assertThat(view.annotations()).isEmpty();
    assertThat(view.initContainers()).isEmpty();
    assertThat(view.isTerminated()).isFalse();
  }

  @Test
  void succeededPodIsTerminated() {
    V1Pod pod = gpuPod().status(new V1PodStatus().phase("Succeeded"));

    assertThat(KubeModelMapper.podView(pod).isTerminated()).isTrue();
  }

  @Test
  void podWithoutMetadataIsRejectedWithAClearMessage() {
    assertThatThrownBy(() -> KubeModelMapper.podView(new V1Pod()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pod without metadata");
  }

  @Test
  void nodeBaseCarriesAnnotationsAndAllocatable() {
    V1Node node = new V1Node()
        .metadata(new V1ObjectMeta().name("gpu-1").annotations(Map.of("volcano.sh/node-vgpu-register", "GPU-0,10")))
        .status(new V1NodeStatus().allocatable(Map.of(
            "volcano.sh/vgpu-number", new Quantity("20"), "memory", new Quantity("64Gi"), "cpu", new Quantity("8"))));

    NodeBase base = KubeModelMapper.nodeBase(node);

    assertThat(base.name()).isEqualTo("gpu-1");
    assertThat(base.annotations()).containsExactly(Map.entry("volcano.sh/node-vgpu-register", "GPU-0,10"));
    assertThat(base.allocatable()).containsOnly(
        Map.entry("volcano.sh/vgpu-number", "20"), Map.entry("memory", "64Gi"), Map.entry("cpu", "8"));
  }

  @Test
  void nodeWithoutStatusHasNoAllocatable() {
    NodeBase base = KubeModelMapper.nodeBase(new V1Node().metadata(new V1ObjectMeta().name("bare")));

    assertThat(base.allocatable()).isEmpty();
    assertThat(base.annotations()).isEmpty();
  }

  @Test
  void containerWithoutResourcesHasEmptyMaps() {
    ContainerView view = KubeModelMapper.containerView(new V1Container().name("c"));

    assertThat(view.limits()).isEmpty();
    assertThat(view.requests()).isEmpty();
    assertThat(List.of(view.name())).containsExactly("c");
  }

  @Test
  void aPodsQuotaScopeIsReadFromItsSpec() {
    V1Pod pod = gpuPod();
    assertThat(KubeModelMapper.podScope(pod)).isEqualTo(new io.github.volcanovgpu.bridge.quota.PodScope(false, false,
        "", false));

    pod.getSpec().activeDeadlineSeconds(600L).priorityClassName("high").getContainers().get(0).getResources()
        .requests(null);
    pod.getSpec().affinity(new io.kubernetes.client.openapi.models.V1Affinity().podAntiAffinity(
        new io.kubernetes.client.openapi.models.V1PodAntiAffinity()
            .addRequiredDuringSchedulingIgnoredDuringExecutionItem(
                new io.kubernetes.client.openapi.models.V1PodAffinityTerm().topologyKey("zone")
                    .namespaceSelector(new io.kubernetes.client.openapi.models.V1LabelSelector()))));

    assertThat(KubeModelMapper.podScope(pod)).isEqualTo(new io.github.volcanovgpu.bridge.quota.PodScope(true, true,
        "high", true));
  }
}
