package io.github.volcanovgpu.cdi.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.cdi.CdiCodec;
import io.github.volcanovgpu.cdi.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CdiSpecScanTest {
  @TempDir
  Path etc;
  @TempDir
  Path run;

  @Test
  void collectsTheDevicesOfOneKindFromJsonAndYamlSkippingBrokenAndOtherFiles() throws IOException {
    Files.writeString(etc.resolve("nvidia.yaml"), """
        ---
        cdiVersion: 0.5.0
        kind: nvidia.com/gpu
        devices:
        - name: GPU-aaa
          containerEdits:
            deviceNodes:
            - path: /dev/nvidia0
        - name: "0"
          containerEdits:
            deviceNodes:
            - path: /dev/nvidia0
        """);
    Files.writeString(run.resolve("other.json"), "{\"cdiVersion\":\"0.3.0\",\"kind\":\"vendor.com/x\",\"devices\":"
        + "[{\"name\":\"y\",\"containerEdits\":{\"env\":[\"A=1\"]}}]}");
    Files.writeString(run.resolve("broken.json"), "{\"cdiVersion\":");
    Files.writeString(run.resolve("notes.txt"), "kind: nvidia.com/gpu");

    assertThat(CdiSpecScan.deviceNames(List.of(etc, run, run.resolve("missing")), Kind.parse("nvidia.com/gpu"),
        new CdiCodec())).containsExactly("0", "GPU-aaa");
  }
}
