package io.github.volcanovgpu.process.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.openapi.models.V1ManagedFieldsEntry;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import java.util.List;
import org.junit.jupiter.api.Test;

class InformersTest {
  @Test
  void storedObjectsKeepEverythingButTheirManagedFields() {
    V1Pod pod = new V1Pod().metadata(new V1ObjectMeta().name("p").putAnnotationsItem("a", "b")
        .managedFields(List.of(new V1ManagedFieldsEntry().manager("kubectl"))));

    V1Pod stored = (V1Pod) Informers.dropManagedFields(pod);

    assertThat(stored.getMetadata().getManagedFields()).isNull();
    assertThat(stored.getMetadata().getName()).isEqualTo("p");
    assertThat(stored.getMetadata().getAnnotations()).containsEntry("a", "b");
    assertThat(Informers.dropManagedFields(new V1Pod())).as("no metadata: unchanged").isEqualTo(new V1Pod());
  }
}
