package io.github.volcanovgpu.process.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.models.V1Binding;
import io.kubernetes.client.openapi.models.V1Pod;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class KubeJsonTest {
  /** A pod as a newer Kubernetes writes it: fields client-java 25 does not know, at several levels. */
  private static final String FUTURE_POD = """
      {"apiVersion":"v1","kind":"Pod",
       "metadata":{"name":"p","namespace":"ns","uid":"u1","resourceVersion":"7",
                   "creationTimestamp":"2026-05-01T10:00:00Z","futureMeta":1},
       "spec":{"nodeName":"gpu-1","futureSpec":{"a":1},
               "containers":[{"name":"c","image":"i","futureContainer":true,
                              "resources":{"limits":{"volcano.sh/vgpu-memory":"3k","cpu":"1500m"}}}]},
       "status":{"phase":"Running","allocatedResources":{"cpu":"500m"},
                 "startTime":"2026-05-01T10:00:01.123456Z"}}
      """;

  @Test
  void stockClientJavaValidationRefusesUnknownFields() {
    // the check client-java's own adapter factory runs before reading a V1Pod
    assertThatThrownBy(() -> V1Pod.validateJsonElement(JsonParser.parseString(FUTURE_POD)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not defined in the `V1ObjectMeta` properties");
  }

  @Test
  void lenientGsonReadsPodsWithUnknownFieldsAndKeepsQuantitiesAndTimes() {
    V1Pod pod = KubeJson.lenientGson().fromJson(FUTURE_POD, V1Pod.class);

    assertThat(pod.getMetadata().getUid()).isEqualTo("u1");
    assertThat(pod.getSpec().getNodeName()).isEqualTo("gpu-1");
    assertThat(pod.getSpec().getContainers().get(0).getResources().getLimits().get("volcano.sh/vgpu-memory")
        .getNumber()).isEqualByComparingTo("3000");
    assertThat(pod.getMetadata().getCreationTimestamp())
        .isEqualTo(OffsetDateTime.of(2026, 5, 1, 10, 0, 0, 0, ZoneOffset.UTC));
    assertThat(pod.getStatus().getStartTime().getNano()).isEqualTo(123_456_000);
    assertThat(pod.getSpec().getContainers().get(0).getResources().getLimits().get("cpu").toSuffixedString())
        .isEqualTo("1500m");
  }

  @Test
  void lenientGsonReadsTheStatusThatPodsBindingAnswers() {
    String status = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Success\",\"code\":201}";

    assertThat(KubeJson.lenientGson().fromJson(status, V1Binding.class)).isNotNull();
  }

  @Test
  void lenientGsonWritesTimesAsClientJavaDoes() {
    V1Pod pod = new V1Pod().metadata(new io.kubernetes.client.openapi.models.V1ObjectMeta()
        .creationTimestamp(OffsetDateTime.of(2026, 5, 1, 10, 0, 0, 0, ZoneOffset.UTC)));

    assertThat(KubeJson.lenientGson().toJson(pod)).contains("\"creationTimestamp\":\"2026-05-01T10:00:00.000000Z\"");
  }
}
