package io.github.volcanovgpu.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Qualified names and annotation keys, with the examples of SPEC.md and {@code pkg/parser}. */
class NamesTest {
  @Test
  void validKindsAndQualifiedNamesParse() {
    assertThat(Kind.parse("vendor.com/foo")).isEqualTo(new Kind("vendor.com", "foo"));
    assertThat(Kind.parse("foo.bar.baz/foo-bar123.B_az").clazz()).isEqualTo("foo-bar123.B_az");
    QualifiedName mig = QualifiedName.parse("nvidia.com/gpu=0:1");
    assertThat(mig.kind()).isEqualTo(new Kind("nvidia.com", "gpu"));
    assertThat(mig.name()).isEqualTo("0:1");
    assertThat(mig.toString()).isEqualTo("nvidia.com/gpu=0:1");
    assertThat(Kind.NVIDIA_DEVICE_PLUGIN.device("GPU-1").toString())
        .isEqualTo("k8s.device-plugin.nvidia.com/gpu=GPU-1");
    assertThat(Kind.NVIDIA_DEVICE_PLUGIN.specFileBase()).isEqualTo("k8s.device-plugin.nvidia.com-gpu");
  }

  @Test
  void invalidKindsAreRejectedWithTheReason() {
    assertThatThrownBy(() -> Kind.parse("foo")).hasMessageContaining("expected <vendor>/<class>");
    assertThatThrownBy(() -> Kind.parse("vendor.com/foo/")).hasMessageContaining("should end with a letter or digit");
    assertThatThrownBy(() -> Kind.parse("vendor.com/foo/bar")).hasMessageContaining("invalid character '/'");
    assertThatThrownBy(() -> Kind.parse("1vendor.com/foo")).hasMessageContaining("should start with a letter");
    assertThatThrownBy(() -> Kind.parse("vendor.com/foo-")).hasMessageContaining("should end with a letter or digit");
    assertThatThrownBy(() -> Kind.parse("v/" + "c".repeat(64))).hasMessageContaining("at most 63");
  }

  @Test
  void invalidQualifiedNamesAreRejectedWithTheReason() {
    assertThatThrownBy(() -> QualifiedName.parse("nvidia.com/gpu")).hasMessageContaining("unqualified device");
    assertThatThrownBy(() -> QualifiedName.parse("/dev/nvidia0")).hasMessageContaining("unqualified device");
    assertThatThrownBy(() -> QualifiedName.parse("nvidia.com/gpu=")).hasMessageContaining("unqualified device");
    assertThatThrownBy(() -> QualifiedName.parse("nvidia.com/gpu=a b"))
        .hasMessageContaining("invalid character ' ' in device name");
    assertThatThrownBy(() -> QualifiedName.parse("nvidia.com/gpu=:0")).hasMessageContaining("should start with");
    assertThatThrownBy(() -> QualifiedName.parse("nvidia.com/gpu=0:")).hasMessageContaining("should end with");
  }

  @Test
  void annotationKeysFollowTheUpstreamHelper() {
    CdiAnnotations a = CdiAnnotations.standard();
    assertThat(a.key("nvidia-device-plugin", "abc/def")).isEqualTo("cdi.k8s.io/nvidia-device-plugin_abc_def");
    assertThat(new CdiAnnotations("example.com/").key("p", "1")).isEqualTo("example.com/p_1");
    assertThatThrownBy(() -> a.key("p", "x".repeat(62))).hasMessageContaining("too long");
    assertThatThrownBy(() -> a.key("", "x")).hasMessageContaining("invalid plugin name, empty");
    assertThatThrownBy(() -> a.key("p", "")).hasMessageContaining("invalid deviceID, empty");
    assertThatThrownBy(() -> a.key("p", "a=b")).hasMessageContaining("invalid character '='");
    assertThatThrownBy(() -> a.key("-p", "a")).hasMessageContaining("should be alphanumeric");
  }

  @Test
  void annotationPrefixesMustBeADomainAndOneSlash() {
    assertThatThrownBy(() -> new CdiAnnotations("cdi.k8s.io")).hasMessageContaining("invalid annotation prefix");
    assertThatThrownBy(() -> new CdiAnnotations("Cdi.k8s.io/")).hasMessageContaining("not a DNS label");
    assertThatThrownBy(() -> new CdiAnnotations("a/b/")).hasMessageContaining("invalid annotation prefix");
  }

  @Test
  void annotationValuesJoinAndParseBack() {
    List<QualifiedName> devices = List.of(QualifiedName.parse("nvidia.com/gpu=0"),
        QualifiedName.parse("nvidia.com/gpu=vgpu-x_main"));
    String value = CdiAnnotations.value(devices);
    assertThat(value).isEqualTo("nvidia.com/gpu=0,nvidia.com/gpu=vgpu-x_main");
    assertThat(CdiAnnotations.standard().parse(Map.of("cdi.k8s.io/p_1", value, "other/x", "y")))
        .isEqualTo(devices);
    assertThatThrownBy(() -> CdiAnnotations.standard().parse(Map.of("cdi.k8s.io/p_1", "nvidia.com/gpu=0,bad")))
        .hasMessageContaining("annotation cdi.k8s.io/p_1").hasMessageContaining("unqualified device \"bad\"");
    assertThatThrownBy(() -> CdiAnnotations.value(List.of())).hasMessageContaining("no CDI devices");
  }
}
