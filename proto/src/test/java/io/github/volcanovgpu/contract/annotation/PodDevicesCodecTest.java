package io.github.volcanovgpu.contract.annotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.PodDevices;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodDevicesCodecTest {
  @Test
  void encodesOneContainerWithTwoCardsAsTheReference() {
    PodDevices d = new PodDevices(List.of(List.of(
        DeviceSlice.nvidia("GPU-aaa", 3000, 50), DeviceSlice.nvidia("GPU-bbb", 3000, 50))));
    assertThat(PodDevicesCodec.encode(d)).isEqualTo("GPU-aaa,NVIDIA,3000,50:GPU-bbb,NVIDIA,3000,50:");
  }

  @Test
  void encodesTwoContainersJoinedBySemicolonWithoutTrailingSeparator() {
    PodDevices d = new PodDevices(List.of(
        List.of(DeviceSlice.nvidia("GPU-aaa", 2000, 0)), List.of(DeviceSlice.nvidia("GPU-bbb", 3000, 0))));
    assertThat(PodDevicesCodec.encode(d)).isEqualTo("GPU-aaa,NVIDIA,2000,0:;GPU-bbb,NVIDIA,3000,0:");
  }

  @Test
  void decodeKeepsEmptyContainerEntriesBecausePositionMatters() {
    PodDevices d = PodDevicesCodec.decodeLenient(";GPU-bbb,NVIDIA,3000,0:");
    assertThat(d.containers()).hasSize(2);
    assertThat(d.containers().get(0)).isEmpty();
    assertThat(d.containers().get(1)).containsExactly(DeviceSlice.nvidia("GPU-bbb", 3000, 0));
  }

  @Test
  void lenientDecodeSkipsNegativeNonNumericAndShortEntriesLikeVolcano() {
    PodDevices d = PodDevicesCodec.decodeLenient(
        "GPU-a,NVIDIA,-1,0:GPU-b,NVIDIA,x,0:GPU-c,NVIDIA,1:GPU-d,NVIDIA,100,10:");
    assertThat(d.allSlices()).containsExactly(DeviceSlice.nvidia("GPU-d", 100, 10));
  }

  @Test
  void strictDecodeNamesTheMalformedEntry() {
    assertThatThrownBy(() -> PodDevicesCodec.decodeStrict("GPU-a,NVIDIA,x,0:"))
        .isInstanceOf(AnnotationFormatException.class)
        .hasMessageContaining("GPU-a,NVIDIA,x,0");
  }

  @Test
  void migSuffixedUuidKeepsItsPhysicalUuid() {
    PodDevices d = PodDevicesCodec.decodeStrict("GPU-0fc3[group2-3],NVIDIA,10240,0:");
    assertThat(d.allSlices().get(0).physicalUuid()).isEqualTo("GPU-0fc3");
  }
}
