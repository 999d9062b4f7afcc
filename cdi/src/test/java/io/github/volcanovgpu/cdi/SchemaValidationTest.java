package io.github.volcanovgpu.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The validator really enforces the upstream schema: it accepts upstream's examples and rejects broken documents. */
class SchemaValidationTest {
  static String resource(String name) throws IOException {
    try (InputStream in = SchemaValidationTest.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("no test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void upstreamExamplesConform() throws IOException {
    assertThat(SchemaValidation.violations(resource("cdi-schema/minimal.json"))).isEmpty();
    assertThat(SchemaValidation.violations(resource("cdi-schema/spec-example.json"))).isEmpty();
  }

  @Test
  void documentsBreakingTheSchemaAreRejected() {
    assertThat(SchemaValidation.violations("{\"kind\":\"a.com/b\",\"devices\":[]}")).isNotEmpty();
    assertThat(SchemaValidation.violations(
        "{\"cdiVersion\":\"0.3.0\",\"kind\":\"a.com/b\",\"devices\":[{\"name\":\"x\"}]}")).isNotEmpty();
    assertThat(SchemaValidation.violations("{\"cdiVersion\":\"0.3.0\",\"kind\":\"a.com/b\",\"devices\":[{\"name\":"
        + "\"x\",\"containerEdits\":{\"deviceNodes\":[{\"path\":\"/dev/x\",\"uid\":-1}]}}]}")).isNotEmpty();
    assertThat(SchemaValidation.violations("{\"cdiVersion\":\"0.3.0\",\"kind\":\"a.com/b\",\"devices\":[{\"name\":"
        + "\"x\",\"containerEdits\":{\"mounts\":[{\"hostPath\":\"/a\"}]}}]}")).isNotEmpty();
  }

  @Test
  void ourCodecReadsUpstreamExamples() throws IOException {
    CdiCodec codec = new CdiCodec();
    CdiSpec example = codec.read(resource("cdi-schema/spec-example.json"), CdiCodec.Format.JSON, "spec-example");
    assertThat(example.deviceNames()).containsExactly("myDevice");
    assertThat(example.containerEdits().hooks()).extracting(Hook::hookName)
        .containsExactly("createContainer", "startContainer");
    assertThat(example.devices().get(0).containerEdits().deviceNodes().get(0).hostPath())
        .isEqualTo("/vendorroot/dev/card1");
    assertThat(codec.read(resource("cdi-schema/minimal.json"), CdiCodec.Format.JSON, "minimal").kind())
        .isEqualTo("vendor.com/device");
  }
}
