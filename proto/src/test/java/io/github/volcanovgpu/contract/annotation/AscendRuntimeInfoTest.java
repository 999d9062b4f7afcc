package io.github.volcanovgpu.contract.annotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AscendRuntimeInfoTest {
  @Test
  void templateModeWritesUuidAndTempAsVolcanosRuntimeInfo() {
    assertThat(AscendRuntimeInfo.encode(List.of(new AscendRuntimeInfo("npu-0", "vir05_1c_16g", 0, 0))))
        .isEqualTo("[{\"UUID\":\"npu-0\",\"temp\":\"vir05_1c_16g\"}]");
  }

  @Test
  void hamiCoreModeWritesMemoryAndCore() {
    String s = AscendRuntimeInfo.encode(List.of(new AscendRuntimeInfo("npu-0", "", 16384, 50),
        new AscendRuntimeInfo("npu-1", "", 16384, 0)));
    assertThat(s)
        .isEqualTo("[{\"UUID\":\"npu-0\",\"memory\":16384,\"core\":50},{\"UUID\":\"npu-1\",\"memory\":16384}]");
    assertThat(AscendRuntimeInfo.decode("huawei.com/Ascend910C", s)).containsExactly(
        new AscendRuntimeInfo("npu-0", "", 16384, 50), new AscendRuntimeInfo("npu-1", "", 16384, 0));
  }

  @Test
  void aWholeCardInTemplateModeHasOnlyItsUuid() {
    assertThat(AscendRuntimeInfo.encode(List.of(new AscendRuntimeInfo("npu-0", "", 0, 0))))
        .isEqualTo("[{\"UUID\":\"npu-0\"}]");
  }

  @Test
  void malformedEntriesAreNamed() {
    assertThatThrownBy(() -> AscendRuntimeInfo.decode("huawei.com/Ascend910C", "[{\"temp\":\"x\"}]"))
        .isInstanceOf(AnnotationFormatException.class).hasMessageContaining("entry 0: needs a non-empty \"UUID\"");
    assertThatThrownBy(() -> AscendRuntimeInfo.decode("huawei.com/Ascend910C", "[{\"UUID\":\"a\",\"core\":101}]"))
        .hasMessageContaining("core 0..100");
    assertThat(AscendRuntimeInfo.decode("k", "null")).isEmpty();
  }
}
