package io.github.volcanovgpu.contract.annotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HamiDeviceInfoCodecTest {
  private static final String KEY = "hami.io/node-register-Ascend910C";

  /** What Go's encoding/json writes for HAMi's DeviceInfo: zero values omitted, devicepairscore always present. */
  private static final String GOLDEN_910C = "[{\"id\":\"npu-0-a\",\"count\":4,\"devmem\":65536,\"devcore\":20,"
      + "\"type\":\"Ascend910C\",\"health\":true,\"custominfo\":{\"ModuleID\":0,\"NetworkID\":1},"
      + "\"devicepairscore\":{}},{\"id\":\"npu-1-b\",\"index\":1,\"count\":4,\"devmem\":65536,\"devcore\":20,"
      + "\"type\":\"Ascend910C\",\"numa\":1,\"mode\":\"hami-core\",\"custominfo\":{\"ModuleID\":0,"
      + "\"NetworkID\":1},\"devicepairscore\":{}}]";

  private static final List<HamiDeviceInfo> DEVICES = List.of(
      new HamiDeviceInfo("npu-0-a", 0, 4, 65536, 20, "Ascend910C", 0, "", true, "",
          Map.of("NetworkID", 1L, "ModuleID", 0L)),
      new HamiDeviceInfo("npu-1-b", 1, 4, 65536, 20, "Ascend910C", 1, "hami-core", false, "",
          Map.of("NetworkID", 1L, "ModuleID", 0L)));

  @Test
  void encodesAsGoEncodesHamisDeviceInfo() {
    assertThat(HamiDeviceInfoCodec.encode(DEVICES)).isEqualTo(GOLDEN_910C);
  }

  @Test
  void decodesItsGoldenBackToTheSameDevices() {
    assertThat(HamiDeviceInfoCodec.decode(KEY, GOLDEN_910C)).isEqualTo(DEVICES);
  }

  @Test
  void readsAVastaiDieRegistrationWithStringAndFloatCustomInfo() {
    List<HamiDeviceInfo> d = HamiDeviceInfoCodec.decode("hami.io/node-va-register",
        "[{\"id\":\"va-0-die0\",\"count\":1,\"devmem\":16384,\"devcore\":100,\"type\":\"VA1\",\"health\":true,"
            + "\"custominfo\":{\"AIC\":3.0,\"DeviceStrategy\":\"die\"},\"unknownKey\":[1,2]}]");
    assertThat(d).hasSize(1);
    assertThat(d.get(0).customLong("AIC")).contains(3L);
    assertThat(d.get(0).customString("DeviceStrategy")).contains("die");
    assertThat(d.get(0).customString("AIC")).contains("3");
  }

  @Test
  void goEscapingOfHtmlCharactersInStrings() {
    String json = HamiDeviceInfoCodec.encode(List.of(
        new HamiDeviceInfo("a<b>&c", 0, 1, 1, 0, "t\"q", 0, "", true, "", Map.of())));
    assertThat(json).contains("\"id\":\"a\\u003cb\\u003e\\u0026c\"").contains("\"type\":\"t\\\"q\"");
    assertThat(HamiDeviceInfoCodec.decode(KEY, json).get(0).id()).isEqualTo("a<b>&c");
  }

  @Test
  void malformedValuesNameTheKeyDeviceAndField() {
    assertThatThrownBy(() -> HamiDeviceInfoCodec.decode(KEY, "GPU-1,10,100,NVIDIA,true:"))
        .isInstanceOf(AnnotationFormatException.class).hasMessageStartingWith(KEY + ": not JSON");
    assertThatThrownBy(() -> HamiDeviceInfoCodec.decode(KEY, "{}"))
        .hasMessageContaining("expected a JSON array");
    assertThatThrownBy(() -> HamiDeviceInfoCodec.decode(KEY, "[]")).hasMessageContaining("no devices");
    assertThatThrownBy(() -> HamiDeviceInfoCodec.decode(KEY, "[{\"id\":\"\"}]"))
        .hasMessage(KEY + " device 0: empty id");
    assertThatThrownBy(() -> HamiDeviceInfoCodec.decode(KEY, "[{\"id\":\"a\"},{\"id\":\"b\",\"devmem\":-1}]"))
        .hasMessageContaining(KEY + " device 1: devmem must be a whole number");
    assertThatThrownBy(() -> HamiDeviceInfoCodec.decode(KEY, "[{\"id\":\"a\",\"health\":\"yes\"}]"))
        .hasMessageContaining("health must be true or false");
    assertThatThrownBy(() -> HamiDeviceInfoCodec.decode(KEY, "[{\"id\":\"a\",\"count\":1.5}]"))
        .hasMessageContaining("count must be a whole number");
  }
}
