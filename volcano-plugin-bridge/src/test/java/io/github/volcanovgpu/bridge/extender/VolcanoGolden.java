package io.github.volcanovgpu.bridge.extender;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The extender goldens in the test resources {@code golden/volcano/}: {@code requests/} holds bodies the real
 * vc-scheduler sent (bytes as captured, see its README), {@code responses/} the sidecar's answers. Response goldens
 * are rewritten from the code with {@code -Dvolcano.golden.update=true}; request goldens never are.
 */
public final class VolcanoGolden {
  private static final String ROOT = "golden/volcano/";

  private VolcanoGolden() {}

  /** A body Volcano sent, e.g. {@code predicate.json}. */
  public static byte[] request(String name) {
    return read(ROOT + "requests/" + name);
  }

  /** A response golden, e.g. {@code predicate-fits.json}. */
  static byte[] response(String name) {
    return read(ROOT + "responses/" + name);
  }

  /** {@code actual} equals the response golden {@code name} byte for byte (or rewrites it on update). */
  static void assertResponse(String name, byte[] actual) throws IOException {
    if (Boolean.getBoolean("volcano.golden.update")) {
      Files.write(Path.of("src/test/resources", ROOT, "responses", name), actual);
      return;
    }
    assertThat(new String(actual, StandardCharsets.UTF_8))
        .as("response golden %s (rewrite with -Dvolcano.golden.update=true and review the diff)", name)
        .isEqualTo(new String(response(name), StandardCharsets.UTF_8));
  }

  private static byte[] read(String resource) {
    try (InputStream in = VolcanoGolden.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("no golden " + resource + " on the test class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
