package io.github.volcanovgpu.contract.annotation;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.PodDevices;
import java.util.List;
import org.junit.jupiter.api.Test;

/** HAMi's framing of the pod device lists (Volcano's EncodePodSingleDevice): every container ends with ';'. */
class HamiPodDevicesFramingTest {
  private static final PodDevices TWO_CONTAINERS = new PodDevices(List.of(
      List.of(new DeviceSlice("npu-0", "Ascend910C", 16384, 50), new DeviceSlice("npu-1", "Ascend910C", 16384, 50)),
      List.of(new DeviceSlice("npu-2", "Ascend910C", 65536, 100))));

  @Test
  void everyContainerIsTerminated() {
    assertThat(PodDevicesCodec.encodeHami(TWO_CONTAINERS))
        .isEqualTo("npu-0,Ascend910C,16384,50:npu-1,Ascend910C,16384,50:;npu-2,Ascend910C,65536,100:;");
  }

  @Test
  void decodingDropsOnlyTheFinalTerminator() {
    assertThat(PodDevicesCodec.decodeHamiLenient(PodDevicesCodec.encodeHami(TWO_CONTAINERS)))
        .isEqualTo(TWO_CONTAINERS);
    // the device plugin empties the first container's entry once it handed it out; positions stay
    assertThat(PodDevicesCodec.decodeHamiLenient(";npu-2,Ascend910C,65536,100:;").containers())
        .hasSize(2).first().asList().isEmpty();
    assertThat(PodDevicesCodec.decodeHamiLenient("")).isEqualTo(PodDevices.empty());
  }
}
