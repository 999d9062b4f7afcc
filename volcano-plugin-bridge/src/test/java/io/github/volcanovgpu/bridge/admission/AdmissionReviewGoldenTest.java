package io.github.volcanovgpu.bridge.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * AdmissionReview v1 bodies in, the webhook's answers out: {@code golden/admission/<case>.review.json} is what the
 * API server sends, {@code <case>.expected.json} what the mutating and the validating webhook answer (the patch
 * shown decoded from its base64; the scene is {@link AdmissionFixtures}). {@code -Dgolden.update=true} rewrites the
 * expectations, to be reviewed by hand.
 */
class AdmissionReviewGoldenTest {
  private static final Path DIR = Path.of("src/test/resources/golden/admission");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  static Stream<String> cases() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".review.json"))
          .map(n -> n.substring(0, n.length() - ".review.json".length())).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void answersAsTheGoldenSays(String name) throws IOException {
    byte[] body = Files.readAllBytes(DIR.resolve(name + ".review.json"));
    PodAdmission admission = AdmissionFixtures.admission();
    AdmissionRequest request = AdmissionReviewCodec.decode(body);
    ObjectNode actual = JSON.createObjectNode();
    actual.set("mutate", readable(AdmissionReviewCodec.encode(request.uid(), admission.mutate(request))));
    actual.set("validate", readable(AdmissionReviewCodec.encode(request.uid(), admission.validate(request))));
    Path expectedFile = DIR.resolve(name + ".expected.json");
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(expectedFile, JSON.writeValueAsString(actual) + "\n");
    }
    assertThat(actual).isEqualTo(JSON.readTree(expectedFile.toFile()));
  }

  /** The response with its base64 patch decoded, so the golden shows the operations. */
  private static JsonNode readable(byte[] encoded) throws IOException {
    ObjectNode review = (ObjectNode) JSON.readTree(encoded);
    ObjectNode response = (ObjectNode) review.get("response");
    JsonNode patch = response.get("patch");
    if (patch != null) {
      response.set("patch", JSON.readTree(Base64.getDecoder().decode(patch.asText())));
    }
    return review;
  }
}
