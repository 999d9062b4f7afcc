package io.github.volcanovgpu.bridge.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.quota.QuotaCheck;
import io.github.volcanovgpu.bridge.testing.TestCertificates;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhook over real TLS sockets on loopback: routes, body limit, malformed bodies, timeouts, certificate reload. */
class WebhookHttpsServerIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;
  private WebhookHttpsServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private TestCertificates start(AdmissionCluster cluster, WebhookHttpsServer.Options options) throws Exception {
    TestCertificates certs = TestCertificates.create();
    certs.writeTo(dir);
    ReloadingTls tls = new ReloadingTls(dir.resolve("tls.crt"), dir.resolve("tls.key"), Duration.ZERO);
    server = new WebhookHttpsServer(options, tls, new PodAdmission(AdmissionFixtures.KINDS,
        AdmissionPolicy.defaults(), cluster), WebhookObserver.NONE).start();
    return certs;
  }

  private TestCertificates start() throws Exception {
    return start(AdmissionFixtures.cluster(), WebhookHttpsServer.Options.defaults("127.0.0.1", 0));
  }

  private HttpResponse<String> post(TestCertificates certs, String path, byte[] body) throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(certs.clientContext()).build();
    return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static byte[] golden(String name) throws Exception {
    return Files.readAllBytes(Path.of("src/test/resources/golden/admission/" + name + ".review.json"));
  }

  @Test
  void reviewsAreAnsweredOverTls() throws Exception {
    TestCertificates certs = start();

    HttpResponse<String> mutate = post(certs, "/mutate", golden("memory-only-gets-count-and-scheduler"));
    HttpResponse<String> validate = post(certs, "/validate", golden("over-quota-denied"));

    assertThat(mutate.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(mutate.body()).path("response").path("patchType").asText()).isEqualTo("JSONPatch");
    assertThat(JSON.readTree(validate.body()).path("response").path("status").path("message").asText())
        .contains("exceeding resource quota team-a/gpu");
  }

  @Test
  void aMalformedReviewGets400WithWhatIsWrong() throws Exception {
    TestCertificates certs = start();

    HttpResponse<String> r = post(certs, "/validate", "{\"kind\":\"Pod\"}".getBytes(StandardCharsets.UTF_8));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).path("response").path("status").path("message").asText())
        .startsWith("expected kind AdmissionReview apiVersion admission.k8s.io/v1");
  }

  @Test
  void anOversizeBodyGets413BeforeItIsRead() throws Exception {
    TestCertificates certs = start(AdmissionFixtures.cluster(),
        WebhookHttpsServer.Options.defaults("127.0.0.1", 0).withMaxBodyBytes(1024));

    try (SSLSocket s = (SSLSocket) certs.clientContext().getSocketFactory().createSocket("127.0.0.1",
        server.port())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(("POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000"
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder head = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0) {
        head.append((char) b);
        if (b == '}') {
          break; // the end of the JSON answer; the connection stays open for the next request
        }
      }
      assertThat(head.toString()).startsWith("HTTP/1.1 413").contains("--webhook-max-body-bytes");
    }
  }

  @Test
  void aSlowDecisionIsAnswered503SoTheFailurePolicyApplies() throws Exception {
    AdmissionCluster slow = new AdmissionCluster() {
      @Override
      public Map<String, Long> largestDeviceMemory() {
        try {
          Thread.sleep(2000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return Map.of();
      }

      @Override
      public Optional<QuotaCheck.Breach> quotaBreach(PodView pod,
          Optional<io.github.volcanovgpu.bridge.quota.PodScope> scope) {
        return Optional.empty();
      }

      @Override
      public Optional<QuotaCheck.Breach> quotaBreach(String namespace,
          Map<String, io.github.volcanovgpu.bridge.quota.KindTotals> asked, boolean withUsage,
          Optional<io.github.volcanovgpu.bridge.quota.PodScope> scope) {
        return Optional.empty();
      }
    };
    TestCertificates certs = start(slow, WebhookHttpsServer.Options.defaults("127.0.0.1", 0)
        .withRequestTimeout(Duration.ofMillis(200)));

    HttpResponse<String> r = post(certs, "/validate", golden("in-quota-allowed"));

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("took longer than PT0.2S");
  }

  @Test
  void unknownPathsAndMethodsAreRefused() throws Exception {
    TestCertificates certs = start();
    HttpClient client = HttpClient.newBuilder().sslContext(certs.clientContext()).build();

    assertThat(post(certs, "/webhook", new byte[0]).statusCode()).isEqualTo(404);
    assertThat(client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/validate"))
        .GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
    assertThat(client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/healthz"))
        .GET().build(), HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("ok\n");
  }

  @Test
  void aRotatedCertificateIsServedWithoutRestart() throws Exception {
    TestCertificates first = start();
    assertThat(post(first, "/validate", golden("in-quota-allowed")).statusCode()).isEqualTo(200);

    TestCertificates second = TestCertificates.create();
    second.writeTo(dir);

    assertThat(post(second, "/validate", golden("in-quota-allowed")).statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> post(first, "/validate", golden("in-quota-allowed")))
        .isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void anUnusableRotationKeepsTheCurrentCertificate() throws Exception {
    TestCertificates certs = start();
    Files.writeString(dir.resolve("tls.key"), "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n");

    assertThat(post(certs, "/validate", golden("in-quota-allowed")).statusCode()).isEqualTo(200);
  }
}
