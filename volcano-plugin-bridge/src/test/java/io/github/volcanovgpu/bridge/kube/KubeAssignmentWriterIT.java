package io.github.volcanovgpu.bridge.kube;

import static io.github.volcanovgpu.bridge.kube.KubeFixtures.createPod;
import static io.github.volcanovgpu.bridge.kube.KubeFixtures.deletePodNow;
import static io.github.volcanovgpu.bridge.kube.KubeFixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.scheduling.AssignmentWriter.AssignmentWriteException;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Pod;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

@RealApiServer
class KubeAssignmentWriterIT {
  private final CoreV1Api api;
  private final TestNamespace ns;
  private final KubeAssignmentWriter writer;

  KubeAssignmentWriterIT(ApiClient client, CoreV1Api api, TestNamespace ns) {
    this.api = api;
    this.ns = ns;
    this.writer = new KubeAssignmentWriter(client);
  }

  private PodView created(String name, Map<String, String> annotations) throws Exception {
    V1Pod pod = pod(ns.name(), name, "", Map.of());
    pod.getMetadata().setAnnotations(annotations);
    return KubeModelMapper.podView(createPod(api, pod));
  }

  private Map<String, String> annotations(String name) throws Exception {
    Map<String, String> annotations = api.readNamespacedPod(name, ns.name()).execute().getMetadata().getAnnotations();
    return annotations == null ? Map.of() : annotations;
  }

  @Test
  void setsAndRemovesAnnotationsLeavingOthersAlone() throws Exception {
    PodView pod = created("assign", Map.of("keep", "1", "volcano.sh/vgpu-ids-new", "stale"));
    Map<String, Optional<String>> changes = new LinkedHashMap<>();
    changes.put("volcano.sh/vgpu-node", Optional.of("gpu-1"));
    changes.put("volcano.sh/bind-phase", Optional.of("allocating"));
    changes.put("volcano.sh/vgpu-ids-new", Optional.empty());
    changes.put("never-there", Optional.empty());

    writer.patchAnnotations(pod, changes);

    assertThat(annotations("assign")).containsOnly(
        Map.entry("keep", "1"), Map.entry("volcano.sh/vgpu-node", "gpu-1"),
        Map.entry("volcano.sh/bind-phase", "allocating"));
  }

  @Test
  void removingEveryAnnotationLeavesNone() throws Exception {
    PodView pod = created("strip", Map.of("volcano.sh/vgpu-node", "gpu-1"));

    writer.patchAnnotations(pod, Map.of("volcano.sh/vgpu-node", Optional.empty()));

    assertThat(annotations("strip")).isEmpty();
  }

  @Test
  void missingPodIsReportedByName() {
    PodView ghost = new PodView("", ns.name(), "ghost", Map.of(), List.of(), List.of(), "", "", "");

    assertThatThrownBy(() -> writer.patchAnnotations(ghost, Map.of("a", Optional.of("b"))))
        .isInstanceOf(AssignmentWriteException.class)
        .hasMessage("cannot write vGPU annotations of pod " + ns.name()
            + "/ghost: pod not found (HTTP 404 NotFound: pods \"ghost\" not found)");
  }

  @Test
  void podRecreatedUnderTheSameNameIsNotPatched() throws Exception {
    PodView old = created("reborn", Map.of());
    deletePodNow(api, ns.name(), "reborn");
    created("reborn", Map.of());

    assertThatThrownBy(() -> writer.patchAnnotations(old, Map.of("volcano.sh/vgpu-node", Optional.of("gpu-1"))))
        .isInstanceOf(AssignmentWriteException.class)
        .hasMessageStartingWith("cannot write vGPU annotations of pod " + ns.name()
            + "/reborn: the pod was deleted and re-created, its uid is no longer " + old.uid() + " (HTTP 422 Invalid");
    assertThat(annotations("reborn")).doesNotContainKey("volcano.sh/vgpu-node");
  }
}
