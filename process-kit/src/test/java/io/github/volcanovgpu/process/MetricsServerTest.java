package io.github.volcanovgpu.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
  @Test
  void servesTheScrapeOnGetOnlyFromANamedDaemonThread() throws Exception {
    AtomicReference<Thread> servedBy = new AtomicReference<>();
    try (MetricsServer server = new MetricsServer(new HostPort("127.0.0.1", 0), () -> {
      servedBy.set(Thread.currentThread());
      return "up 1\n";
    }).start()) {
      HttpClient http = HttpClient.newHttpClient();
      URI uri = URI.create("http://127.0.0.1:" + server.port() + "/metrics");

      HttpResponse<String> get = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody())
          .build(), HttpResponse.BodyHandlers.ofString());

      assertThat(get.statusCode()).isEqualTo(200);
      assertThat(get.body()).isEqualTo("up 1\n");
      assertThat(get.headers().firstValue("content-type")).hasValue(MetricsServer.CONTENT_TYPE);
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(post.headers().firstValue("allow")).hasValue("GET");
      assertThat(servedBy.get().getName()).isEqualTo("vgpu-metrics");
      assertThat(servedBy.get().isDaemon()).isTrue();
    }
  }
}
