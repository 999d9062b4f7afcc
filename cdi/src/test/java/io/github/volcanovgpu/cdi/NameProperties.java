package io.github.volcanovgpu.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

/** The naming and annotation rules fuzzed: valid names round-trip, anything else is a CdiException, never a crash. */
class NameProperties {
  private static final String ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  private static Arbitrary<String> segment(String first, String inner, String last, int maxInner) {
    return Combinators.combine(
        Arbitraries.strings().withChars(first).ofLength(1),
        Arbitraries.strings().withChars(inner).ofMinLength(0).ofMaxLength(maxInner),
        Arbitraries.strings().withChars(last).ofLength(1)).as((a, b, c) -> a + b + c);
  }

  @Provide
  Arbitrary<String> vendors() {
    return segment("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", ALNUM + "_-.", ALNUM, 30);
  }

  @Provide
  Arbitrary<String> deviceNames() {
    return Arbitraries.oneOf(Arbitraries.strings().withChars(ALNUM).ofLength(1),
        segment(ALNUM, ALNUM + "_-.:", ALNUM, 40));
  }

  @Property
  void validQualifiedNamesParseBackToTheirParts(@ForAll("vendors") String vendor, @ForAll("vendors") String clazz,
      @ForAll("deviceNames") String name) {
    String text = vendor + "/" + clazz + "=" + name;
    QualifiedName parsed = QualifiedName.parse(text);
    assertThat(parsed.kind().vendor()).isEqualTo(vendor);
    assertThat(parsed.kind().clazz()).isEqualTo(clazz);
    assertThat(parsed.name()).isEqualTo(name);
    assertThat(parsed.toString()).isEqualTo(text);
  }

  @Property
  void anyStringEitherParsesToItselfOrIsACdiException(@ForAll @StringLength(max = 40) String text) {
    try {
      assertThat(QualifiedName.parse(text).toString()).isEqualTo(text);
    } catch (CdiException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  @Property
  void aDeviceNameWithAForbiddenCharacterIsRejected(@ForAll("deviceNames") String name,
      @ForAll("forbidden") char bad, @ForAll int where) {
    int at = Math.floorMod(where, name.length() + 1);
    String broken = name.substring(0, at) + bad + name.substring(at);
    assertThatThrownBy(() -> QualifiedName.validateDeviceName(broken)).isInstanceOf(CdiException.class);
  }

  @Provide
  Arbitrary<Character> forbidden() {
    return Arbitraries.chars().filter(c -> !Chars.alphaNumeric(c) && c != '_' && c != '-' && c != '.' && c != ':');
  }

  @Property
  void annotationKeysAreValidUpTo63CharactersAndRejectedBeyond(@ForAll("deviceNames") String plugin,
      @ForAll("deviceNames") String device) {
    String name = plugin + "_" + device.replace('/', '_');
    boolean validChars = name.chars().allMatch(c -> Chars.alphaNumeric((char) c) || c == '_' || c == '-' || c == '.');
    CdiAnnotations a = CdiAnnotations.standard();
    if (name.length() <= 63 && validChars) {
      String key = a.key(plugin, device);
      assertThat(key).isEqualTo("cdi.k8s.io/" + name);
      CdiAnnotations.validateName(key.substring(CdiAnnotations.PREFIX.length()));
    } else {
      assertThatThrownBy(() -> a.key(plugin, device)).isInstanceOf(CdiException.class);
    }
  }

  @Property
  void annotationValuesRoundTrip(@ForAll("vendors") String vendor, @ForAll("deviceNames") String a,
      @ForAll("deviceNames") String b) {
    Kind kind = new Kind(vendor, "gpu");
    var devices = java.util.List.of(kind.device(a), kind.device(b));
    String value = CdiAnnotations.value(devices);
    assertThat(CdiAnnotations.standard().parse(java.util.Map.of("cdi.k8s.io/p_x", value))).isEqualTo(devices);
  }
}
