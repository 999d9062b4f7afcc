package io.github.volcanovgpu.cdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CdiCodecTest {
  private final CdiCodec codec = new CdiCodec();

  private static CdiDevice node(String name, String path) {
    return new CdiDevice(name, ContainerEdits.of(List.of(), List.of(DeviceNode.of(path)), List.of()));
  }

  private String spec(String version, String devices) {
    return "{\"cdiVersion\":\"" + version + "\",\"kind\":\"vendor.com/gpu\",\"devices\":[" + devices + "]}";
  }

  @Test
  void everyFieldOfTheSpecRoundTripsThroughJsonAndYamlAndConformsToTheSchema() {
    ContainerEdits full = new ContainerEdits(List.of("A=1", "B="),
        List.of(new DeviceNode("/dev/x", "/host/dev/x", "c", 195L, 0L, 0666, "rw", 0L, 44L)),
        List.of(new NetDevice("eth1", "net0")),
        List.of(new Hook("createContainer", "/usr/bin/hook", List.of("hook", "run"), List.of("X=y"), 5)),
        List.of(new CdiMount("/a", "/b", List.of("ro", "bind"), "none")),
        new IntelRdt("clos", "L3:0=f", "MB:0=50", List.of("L3:0=f"), true),
        List.of(1000L, 4294967295L));
    CdiSpec spec = new CdiSpec("1.1.0", "vendor.com/gpu.x", Map.of("a", "b"),
        List.of(new CdiDevice("dev0", Map.of("c", "d"), full)), full);

    assertThat(SpecVersion.minimumRequired(spec)).isEqualTo(SpecVersion.V1_1_0);
    for (CdiCodec.Format f : CdiCodec.Format.values()) {
      String text = codec.write(spec, f);
      assertThat(codec.read(text, f, "test")).isEqualTo(spec);
    }
    String json = codec.write(spec, CdiCodec.Format.JSON);
    assertThat(json).contains("\"additionalGids\"", "\"closID\"", "\"enableMonitoring\" : true", "\"fileMode\"");
    assertThat(SchemaValidation.violations(json)).isEmpty();
  }

  @Test
  void unknownFieldsAreRejectedNamingTheField() {
    assertThatThrownBy(() -> codec.read(spec("0.3.0",
        "{\"name\":\"a\",\"containerEdits\":{\"deviceNodes\":[{\"path\":\"/dev/a\",\"bogus\":1}]}}"),
        CdiCodec.Format.JSON, "/etc/cdi/x.json"))
        .isInstanceOf(CdiException.class)
        .hasMessageContaining("/etc/cdi/x.json")
        .hasMessageContaining("unknown field \"bogus\"")
        .hasMessageContaining("devices[0].containerEdits.deviceNodes[0]");
  }

  @Test
  void aVersionLowerThanTheContentsNeedIsRejected() {
    assertThatThrownBy(() -> codec.read(spec("0.3.0",
        "{\"name\":\"0\",\"containerEdits\":{\"deviceNodes\":[{\"path\":\"/dev/a\"}]}}"), CdiCodec.Format.JSON, "s"))
        .isInstanceOf(CdiException.class)
        .hasMessageContaining("cdiVersion 0.3.0 is lower than 0.5.0");
  }

  @Test
  void unknownVersionsAndVersionsBelowTheEarliestAreRejected() {
    String device = "{\"name\":\"a\",\"containerEdits\":{\"env\":[\"A=1\"]}}";
    assertThatThrownBy(() -> codec.read(spec("0.9.0", device), CdiCodec.Format.JSON, "s"))
        .hasMessageContaining("invalid version \"0.9.0\"");
    assertThatThrownBy(() -> codec.read(spec("0.2.0", device), CdiCodec.Format.JSON, "s"))
        .hasMessageContaining("lower than 0.3.0");
    assertThat(codec.read(spec("v0.6.0", device), CdiCodec.Format.JSON, "s").cdiVersion()).isEqualTo("v0.6.0");
  }

  @Test
  void everyStructuralProblemIsReportedWithItsPlace() {
    CdiSpec bad = new CdiSpec("0.7.0", "vendor.com/gpu", Map.of(), List.of(
        node("a", "/dev/a"), node("a", "/dev/b"), new CdiDevice("b", ContainerEdits.EMPTY),
        new CdiDevice("c", new ContainerEdits(List.of("NOEQUALS"), List.of(
            new DeviceNode("/dev/c", null, "x", null, null, null, "rwz", -1L, null)), null,
            List.of(new Hook("badHook", "", null, null, 0)), List.of(new CdiMount("", "/m", null, null)),
            null, List.of(-5L)))),
        null);

    assertThat(CdiValidator.problems(bad)).containsExactly(
        "devices[1] (a): duplicate device name \"a\"",
        "devices[2] (b): invalid device, empty device edits",
        "devices[3] (c).containerEdits.env[0]: invalid environment variable \"NOEQUALS\" (expected NAME=VALUE)",
        "devices[3] (c).containerEdits.deviceNodes[0]: invalid device type \"x\" (b, c, u or p)",
        "devices[3] (c).containerEdits.deviceNodes[0]: invalid permissions \"rwz\" (a combination of r, w, m)",
        "devices[3] (c).containerEdits.deviceNodes[0].uid: -1 is not a uint32",
        "devices[3] (c).containerEdits.hooks[0]: invalid hook name \"badHook\" (one of [createContainer, "
            + "createRuntime, poststart, poststop, prestart, startContainer])",
        "devices[3] (c).containerEdits.hooks[0]: invalid hook, empty path",
        "devices[3] (c).containerEdits.hooks[0]: invalid timeout 0 (must be > 0)",
        "devices[3] (c).containerEdits.mounts[0]: invalid mount, empty host path",
        "devices[3] (c).containerEdits.additionalGids[0]: -5 is not a uint32");
    assertThatThrownBy(() -> codec.write(bad, CdiCodec.Format.JSON)).isInstanceOf(CdiException.class)
        .hasMessageStartingWith("invalid CDI spec vendor.com/gpu: ");
  }

  @Test
  void missingTopLevelFieldsAndBadKindsAreReported() {
    assertThat(CdiValidator.problems(new CdiSpec(null, null, null, null, null)))
        .containsExactly("cdiVersion is missing", "kind is missing", "no devices");
    assertThat(CdiValidator.problems(new CdiSpec("0.3.0", "vendor.com/foo/bar", null, List.of(node("a", "/a")),
        null))).containsExactly("invalid character '/' in class name \"foo/bar\"");
  }

  @Test
  void garbageIsAClearErrorNotAStackTrace() {
    assertThatThrownBy(() -> codec.read("devices: [", CdiCodec.Format.YAML, "x.yaml"))
        .isInstanceOf(CdiException.class).hasMessageStartingWith("x.yaml: not a CDI spec");
    assertThatThrownBy(() -> codec.read("", CdiCodec.Format.JSON, "x.json"))
        .isInstanceOf(CdiException.class).hasMessageStartingWith("x.json:");
    assertThatThrownBy(() -> CdiCodec.Format.ofFileName("spec.yml")).hasMessageContaining(".json and .yaml");
  }

  @Test
  void yamlStartsWithADocumentMarkerAndQuotesNumericNames() {
    CdiSpec spec = CdiSpec.of("vendor.com/gpu", List.of(node("0", "/dev/a")), ContainerEdits.EMPTY);
    String yaml = codec.write(spec, CdiCodec.Format.YAML);
    assertThat(yaml).startsWith("---\n").contains("name: \"0\"").doesNotContain("containerEdits: {}");
    assertThat(codec.read(yaml, CdiCodec.Format.YAML, "y")).isEqualTo(spec);
  }
}
