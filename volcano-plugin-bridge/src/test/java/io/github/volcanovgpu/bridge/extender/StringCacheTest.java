package io.github.volcanovgpu.bridge.extender;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StringCacheTest {
  private final StringCache cache = new StringCache();

  private String get(String s) {
    byte[] b = ("xx" + s + "yy").getBytes(StandardCharsets.UTF_8);
    return cache.get(b, 2, b.length - 4);
  }

  @Test
  void repeatedTextIsTheSameInstance() {
    String first = get("volcano.sh/vgpu-memory");

    assertThat(get("volcano.sh/vgpu-memory")).isEqualTo("volcano.sh/vgpu-memory").isSameAs(first);
  }

  @Test
  void everyTextReadsBackExactlyWhateverShareTheirSlot() {
    // far more texts than slots: most share a slot with another
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 20_000; i++) {
        String s = "k" + i;
        assertThat(get(s)).isEqualTo(s);
      }
    }
  }

  @Test
  void longAndNonAsciiTextsAreDecodedNotCached() {
    String longText = "GPU-03f69c50-207a-2038-9b45-23cac89cb67d,NVIDIA,2000,10:";
    String accented = "équipe-ü";

    assertThat(get(longText)).isEqualTo(longText).isNotSameAs(get(longText));
    assertThat(get(accented)).isEqualTo(accented);
    assertThat(get("")).isEmpty();
  }
}
