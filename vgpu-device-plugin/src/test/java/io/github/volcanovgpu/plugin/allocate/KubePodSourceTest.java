package io.github.volcanovgpu.plugin.allocate;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import java.net.ConnectException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubePodSourceTest {
  private static final String CONFLICT_BODY =
      "{\"kind\":\"Status\",\"reason\":\"Conflict\",\"message\":\"the object has been modified\"}";

  @Test
  void snapshotKeepsInitAndRegularContainersApartWithLimitsAndEnvNames() {
    V1Pod pod = new V1Pod()
        .metadata(new V1ObjectMeta().namespace("ns").name("p").uid("u1").resourceVersion("7")
            .annotations(Map.of("volcano.sh/vgpu-node", "n1")))
        .spec(new V1PodSpec().nodeName("n1")
            .addInitContainersItem(new V1Container().name("init")
                .resources(new V1ResourceRequirements().limits(Map.of("volcano.sh/vgpu-number",
                    Quantity.fromString("1")))))
            .addContainersItem(new V1Container().name("main")
                .addEnvItem(new V1EnvVar().name("CUDA_DISABLE_CONTROL").value("true"))
                .resources(new V1ResourceRequirements().limits(Map.of("volcano.sh/vgpu-memory",
                    Quantity.fromString("3000"))))))
        .status(new V1PodStatus().phase("Pending"));

    PodSnapshot s = KubePodSource.snapshot(pod);

    assertThat(s.key()).isEqualTo("ns/p");
    assertThat(s.uid()).isEqualTo("u1");
    assertThat(s.resourceVersion()).isEqualTo("7");
    assertThat(s.nodeName()).isEqualTo("n1");
    assertThat(s.phase()).isEqualTo("Pending");
    assertThat(s.initContainers()).extracting(PodSnapshot.Container::name).containsExactly("init");
    assertThat(s.containers()).singleElement().satisfies(c -> {
      assertThat(c.limits()).containsExactly(Map.entry("volcano.sh/vgpu-memory", "3000"));
      assertThat(c.envNames()).containsExactly("CUDA_DISABLE_CONTROL");
    });
  }

  @Test
  void apiFailuresBecomeKindsWithTheServersReason() {
    PodSourceException conflict =
        KubePodSource.failure("cannot patch pod ns/p", new ApiException(409, Map.of(), CONFLICT_BODY));
    assertThat(conflict.kind()).isEqualTo(PodSourceException.Kind.CONFLICT);
    assertThat(conflict.getMessage())
        .isEqualTo("cannot patch pod ns/p: HTTP 409 Conflict: the object has been modified");

    assertThat(KubePodSource.failure("x", new ApiException(422, Map.of(),
        "{\"reason\":\"Invalid\",\"message\":\"metadata.uid: field is immutable\"}")).kind())
        .isEqualTo(PodSourceException.Kind.CONFLICT);
    assertThat(KubePodSource.failure("x", new ApiException(404, Map.of(), "")).kind())
        .isEqualTo(PodSourceException.Kind.NOT_FOUND);
    assertThat(KubePodSource.failure("x", new ApiException(503, Map.of(), "not json")).getMessage())
        .isEqualTo("x: HTTP 503 not json");
    assertThat(KubePodSource.failure("x", new ApiException(403, Map.of(), "")).kind())
        .isEqualTo(PodSourceException.Kind.OTHER);

    PodSourceException unreachable =
        KubePodSource.failure("cannot list pods", new ApiException(new ConnectException("Connection refused")));
    assertThat(unreachable.kind()).isEqualTo(PodSourceException.Kind.UNAVAILABLE);
    assertThat(unreachable.getMessage())
        .isEqualTo("cannot list pods: API server unreachable (ConnectException: Connection refused)");
  }
}
