package io.github.volcanovgpu.bridge.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.scheduling.AssignmentWriter.AssignmentWriteException;
import io.kubernetes.client.openapi.ApiClient;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KubeAssignmentWriterTest {
  private static final PodView POD =
      new PodView("uid-1", "team", "trainer", Map.of(), List.of(), List.of(), "", "", "");

  private static ApiClient unreachable() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    return new ApiClient().setBasePath("http://127.0.0.1:" + port);
  }

  @Test
  void mergePatchSetsValuesNullsRemovalsAndCarriesTheUid() {
    Map<String, Optional<String>> changes = new LinkedHashMap<>();
    changes.put("volcano.sh/vgpu-node", Optional.of("gpu-1"));
    changes.put("volcano.sh/vgpu-ids-new", Optional.empty());

    assertThat(KubeAssignmentWriter.mergePatch(POD, changes)).isEqualTo(
        "{\"metadata\":{\"uid\":\"uid-1\",\"annotations\":"
            + "{\"volcano.sh/vgpu-node\":\"gpu-1\",\"volcano.sh/vgpu-ids-new\":null}}}");
  }

  @Test
  void unreachableApiServerIsReportedWithoutStackTraceText() throws Exception {
    KubeAssignmentWriter writer = new KubeAssignmentWriter(unreachable());

    assertThatThrownBy(() -> writer.patchAnnotations(POD, Map.of("a", Optional.of("b"))))
        .isInstanceOf(AssignmentWriteException.class)
        .hasMessageStartingWith("cannot write vGPU annotations of pod team/trainer: API server unreachable: ")
        .hasMessageNotContaining("\tat ");
  }

  @Test
  void noChangesMeansNoRequest() throws Exception {
    KubeAssignmentWriter writer = new KubeAssignmentWriter(unreachable());

    assertThatCode(() -> writer.patchAnnotations(POD, Map.of())).doesNotThrowAnyException();
  }
}
