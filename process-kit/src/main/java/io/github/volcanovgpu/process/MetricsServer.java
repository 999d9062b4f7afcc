package io.github.volcanovgpu.process;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Serves {@code GET /metrics} (Prometheus text format 0.0.4) on its own address, from one named daemon thread;
 * other methods get 405. The scrape supplier is called per request.
 */
public final class MetricsServer implements AutoCloseable {
  /** The content type of Prometheus' text format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;

  /**
   * Binds the address (not serving until {@link #start()}).
   *
   * @throws UncheckedIOException when the address cannot be bound
   */
  public MetricsServer(HostPort bind, Supplier<String> scrape) {
    try {
      server = HttpServer.create(bind.socketAddress(), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve metrics on " + bind + ": " + e.getMessage(), e);
    }
    server.createContext("/metrics", exchange -> {
      try (exchange) {
        if (!"GET".equals(exchange.getRequestMethod())) {
          exchange.getResponseHeaders().set("Allow", "GET");
          exchange.sendResponseHeaders(405, -1);
          return;
        }
        byte[] body = scrape.get().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    });
    executor = Executors.newSingleThreadExecutor(DaemonThreads.named("vgpu-metrics"));
    server.setExecutor(executor);
  }

  public MetricsServer start() {
    server.start();
    return this;
  }

  /** The bound port (the actual one when bound to port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(1);
    executor.shutdownNow();
  }
}
