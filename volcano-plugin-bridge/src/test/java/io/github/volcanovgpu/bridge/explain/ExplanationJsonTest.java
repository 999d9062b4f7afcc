package io.github.volcanovgpu.bridge.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.bridge.device.RefusalCause;
import io.github.volcanovgpu.bridge.scheduling.Explanation;
import io.github.volcanovgpu.bridge.scheduling.Explanation.DeviceExplanation;
import io.github.volcanovgpu.bridge.scheduling.Explanation.NodeExplanation;
import io.github.volcanovgpu.bridge.scheduling.Explanation.PodExplanation;
import io.github.volcanovgpu.bridge.scheduling.Explanation.Refusal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The one JSON shape of an explanation, pinned by {@code golden/explain/explanation.json} (rewrite with
 * {@code -Dexplain.golden.update=true} and review the diff).
 */
class ExplanationJsonTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden/explain/explanation.json");

  static Explanation sample() {
    NodeExplanation full = new NodeExplanation("gpu-a", false,
        Optional.of(new Refusal(RefusalCause.DEVICES_REFUSED, "node gpu-a: container main needs 1 GPU, not enough "
            + "fit (2/2 INSUFFICIENT_MEMORY: not enough free memory)")),
        true, "hamivgpu", "main", "", List.of(
            new DeviceExplanation(0, "GPU-a-0", "NVIDIA-NVIDIA A100-PCIE-40GB", true, 16000, 16384, 0, 2, 4,
                "INSUFFICIENT_MEMORY", "not enough free memory", List.of("default/a", "default/c")),
            new DeviceExplanation(1, "GPU-a-1", "NVIDIA-NVIDIA A100-PCIE-40GB", true, 13000, 16384, 30, 1, 4,
                "INSUFFICIENT_MEMORY", "not enough free memory", List.of("default/b"))),
        List.of("default/a"));
    NodeExplanation cpu = new NodeExplanation("cpu-1", false,
        Optional.of(new Refusal(RefusalCause.NOT_REGISTERED, "node cpu-1 has no volcano.sh/node-vgpu-register "
            + "annotation (no vGPU device plugin registered on it)")),
        false, "hamivgpu", "", "", List.of(), List.of());
    NodeExplanation free = new NodeExplanation("gpu-b", true, Optional.empty(), true, "", "",
        "2026-11-28T12:00:00Z", List.of(), List.of());
    PodExplanation big = new PodExplanation("default/big", "uid-big", "", true, Optional.empty(),
        List.of(full, cpu, free));
    PodExplanation quota = new PodExplanation("team/q", "uid-q", "", true,
        Optional.of(new Refusal(RefusalCause.QUOTA, "pod team/q: limits.volcano.sh/vgpu-memory 20000 + 8000 > "
            + "24000")),
        List.of());
    PodExplanation web = new PodExplanation("default/web", "uid-web", "gpu-b", false, Optional.empty(), List.of());
    return new Explanation("vcjob default/train", List.of(big, quota, web));
  }

  @Test
  void writesTheGoldenShape() throws IOException {
    String actual = ExplanationJson.writeString(sample()) + "\n";
    if (Boolean.getBoolean("explain.golden.update")) {
      Files.writeString(GOLDEN, actual);
    }
    assertThat(actual).isEqualTo(Files.readString(GOLDEN));
  }

  @Test
  void readsTheGoldenBackToTheSameExplanation() throws IOException {
    assertThat(ExplanationJson.read(Files.readAllBytes(GOLDEN))).isEqualTo(sample());
  }

  @Test
  void ignoresMembersItDoesNotKnow() {
    String body = "{\"version\":1,\"subject\":\"pod a/b\",\"extra\":[1],\"pods\":[]}";
    assertThat(ExplanationJson.read(body.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(new Explanation("pod a/b", List.of()));
  }

  @Test
  void rejectsWhatIsNotAnExplanationNamingWhatWasWrong() {
    assertThatThrownBy(() -> read("not json")).isInstanceOf(ExplanationJson.MalformedExplanationException.class)
        .hasMessageContaining("not JSON");
    assertThatThrownBy(() -> read("{\"version\":2,\"subject\":\"x\",\"pods\":[]}"))
        .hasMessageContaining("version 2");
    assertThatThrownBy(() -> read("{\"version\":1,\"subject\":\"x\",\"pods\":{}}"))
        .hasMessageContaining("\"pods\" must be an array");
    assertThatThrownBy(() -> read("{\"version\":1,\"subject\":\"x\",\"pods\":[{\"pod\":\"a/b\",\"uid\":\"u\","
        + "\"boundTo\":\"\",\"podRefusal\":{\"cause\":\"BOGUS\",\"message\":\"m\"},\"nodes\":[]}]}"))
        .hasMessageContaining("a/b: unknown refusal cause BOGUS");
    assertThatThrownBy(() -> read("{\"version\":1,\"subject\":\"x\",\"pods\":[{\"pod\":\"a/b\",\"uid\":\"u\","
        + "\"boundTo\":\"\",\"podRefusal\":null,\"nodes\":[{\"node\":\"n\",\"fits\":true,\"refusal\":{\"cause\":"
        + "\"QUOTA\",\"message\":\"m\"},\"kind\":\"\",\"container\":\"\",\"lockedSince\":\"\",\"devices\":[],"
        + "\"relief\":[]}]}]}"))
        .isInstanceOf(ExplanationJson.MalformedExplanationException.class)
        .hasMessageContaining("either fits or has a refusal");
  }

  private static Explanation read(String body) {
    return ExplanationJson.read(body.getBytes(StandardCharsets.UTF_8));
  }
}
