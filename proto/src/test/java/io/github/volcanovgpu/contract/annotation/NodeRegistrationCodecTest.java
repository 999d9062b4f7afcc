package io.github.volcanovgpu.contract.annotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.contract.device.GpuMode;
import io.github.volcanovgpu.contract.device.RegisteredGpu;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeRegistrationCodecTest {
  private static final String GOLDEN =
      "GPU-aaa,10,40960,NVIDIA-NVIDIA A100-PCIE-40GB,true,hami-core:"
          + "GPU-bbb,10,40960,NVIDIA-NVIDIA A100-PCIE-40GB,true,hami-core:";

  @Test
  void encodesTheReferenceExampleByteForByte() {
    List<RegisteredGpu> gpus = List.of(
        new RegisteredGpu("GPU-aaa", 0, 10, 40960, "NVIDIA-NVIDIA A100-PCIE-40GB", true, GpuMode.HAMI_CORE),
        new RegisteredGpu("GPU-bbb", 1, 10, 40960, "NVIDIA-NVIDIA A100-PCIE-40GB", true, GpuMode.HAMI_CORE));
    assertThat(NodeRegistrationCodec.encode(gpus)).isEqualTo(GOLDEN);
  }

  @Test
  void decodesEveryFieldAndAssignsIndexesByPosition() {
    List<RegisteredGpu> gpus = NodeRegistrationCodec.decode(
        "GPU-a,4,16384,NVIDIA-Tesla V100-PCIE-32GB,false,mig:GPU-b,2,8192,NVIDIA-T4,true,hami-core:");
    assertThat(gpus).containsExactly(
        new RegisteredGpu("GPU-a", 0, 4, 16384, "NVIDIA-Tesla V100-PCIE-32GB", false, GpuMode.MIG),
        new RegisteredGpu("GPU-b", 1, 2, 8192, "NVIDIA-T4", true, GpuMode.HAMI_CORE));
  }

  @Test
  void unknownModeFallsBackToHamiCoreAsVolcanoDoes() {
    assertThat(NodeRegistrationCodec.decode("GPU-a,1,1,NVIDIA-X,true,mps:").get(0).mode())
        .isEqualTo(GpuMode.HAMI_CORE);
  }

  @Test
  void rejectsFiveFieldRecordsOfOldDevicePlugins() {
    assertThatThrownBy(() -> NodeRegistrationCodec.decode("GPU-a,10,40960,NVIDIA-A100,true:"))
        .isInstanceOf(AnnotationFormatException.class)
        .hasMessageContaining("expected 6 fields")
        .hasMessageContaining("record 0");
  }

  @Test
  void rejectsNonNumericMemoryWithTheFieldName() {
    assertThatThrownBy(() -> NodeRegistrationCodec.decode("GPU-a,10,lots,NVIDIA-A100,true,hami-core:"))
        .isInstanceOf(AnnotationFormatException.class)
        .hasMessageContaining("memory is not a whole number");
  }

  @Test
  void rejectsValueWithoutAnyRecordTerminator() {
    assertThatThrownBy(() -> NodeRegistrationCodec.decode("GPU-a,10,40960,NVIDIA-A100,true,hami-core"))
        .isInstanceOf(AnnotationFormatException.class)
        .hasMessageContaining("no ':'-terminated");
  }

  @Test
  void rejectsBadHealthWord() {
    assertThatThrownBy(() -> NodeRegistrationCodec.decode("GPU-a,10,4,NVIDIA-A100,yes,hami-core:"))
        .isInstanceOf(AnnotationFormatException.class)
        .hasMessageContaining("health must be true or false");
  }
}
