package io.github.volcanovgpu.bridge.grpc;

import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.process.DaemonThreads;
import io.github.volcanovgpu.process.HostPort;
import io.github.volcanovgpu.proto.bridge.v1.VgpuSchedulerGrpc;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC front door of the sidecar: the {@code VgpuScheduler} service (behind {@link ErrorMappingInterceptor})
 * and the standard {@code grpc.health.v1.Health} service, on a bounded, named executor, with a graceful shutdown
 * bounded by {@link Settings#shutdownGrace()}. {@link #tcp} binds Netty to {@code host:port}.
 */
public final class GrpcServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcServer.class);

  /**
   * Server settings.
   *
   * @param maxInboundMessageBytes largest request accepted; the OpenSession snapshot of a large cluster is the
   *     biggest message (5,000 nodes with a few pods each is about 10-20 MB)
   * @param keepAliveTime how long a connection may be silent before the server pings the client
   * @param keepAliveTimeout how long the server waits for the ping's answer before closing the connection
   * @param permitKeepAliveTime the most frequent client keep-alive ping the server tolerates
   * @param maxConcurrentCallsPerConnection in-flight calls per connection (HTTP/2 max concurrent streams)
   * @param workerThreads threads that run service methods
   * @param queueCapacity calls waiting for a worker before new ones are refused
   * @param shutdownGrace how long {@link #stop()} lets in-flight calls finish before cancelling them
   */
  public record Settings(
      int maxInboundMessageBytes,
      Duration keepAliveTime,
      Duration keepAliveTimeout,
      Duration permitKeepAliveTime,
      int maxConcurrentCallsPerConnection,
      int workerThreads,
      int queueCapacity,
      Duration shutdownGrace) {
    public Settings {
      Objects.requireNonNull(keepAliveTime, "keepAliveTime");
      Objects.requireNonNull(keepAliveTimeout, "keepAliveTimeout");
      Objects.requireNonNull(permitKeepAliveTime, "permitKeepAliveTime");
      Objects.requireNonNull(shutdownGrace, "shutdownGrace");
      requirePositive(maxInboundMessageBytes, "maxInboundMessageBytes");
      requirePositive(maxConcurrentCallsPerConnection, "maxConcurrentCallsPerConnection");
      requirePositive(workerThreads, "workerThreads");
      requirePositive(queueCapacity, "queueCapacity");
      for (Duration d : new Duration[] {keepAliveTime, keepAliveTimeout, permitKeepAliveTime}) {
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("keep-alive durations must be positive, got " + d);
        }
      }
      if (shutdownGrace.isNegative()) {
        throw new IllegalArgumentException("shutdownGrace must not be negative, got " + shutdownGrace);
      }
    }

    /**
     * 64 MiB messages; ping after 60 s of silence, 20 s to answer; clients may ping every 10 s; 256 calls per
     * connection; 2x CPUs workers (at least 4) and 1,024 queued calls; 5 s shutdown grace.
     */
    public static Settings defaults() {
      return new Settings(
          64 * 1024 * 1024,
          Duration.ofSeconds(60),
          Duration.ofSeconds(20),
          Duration.ofSeconds(10),
          256,
          Math.max(4, 2 * Runtime.getRuntime().availableProcessors()),
          1024,
          Duration.ofSeconds(5));
    }

    private static void requirePositive(int v, String name) {
      if (v <= 0) {
        throw new IllegalArgumentException(name + " must be > 0, got " + v);
      }
    }
  }

  private final Server server;
  private final HealthStatusManager health = new HealthStatusManager();
  private final ExecutorService executor;
  private final Duration shutdownGrace;

  /**
   * A server on {@code builder} (any transport: Netty, in-process). Installs a bounded executor, the scheduler
   * service and the health service; transport settings stay the builder's.
   */
  public GrpcServer(ServerBuilder<?> builder, PlacementEngine engine, Settings settings) {
    Objects.requireNonNull(builder, "builder");
    Objects.requireNonNull(settings, "settings");
    this.shutdownGrace = settings.shutdownGrace();
    this.executor =
        new ThreadPoolExecutor(
            settings.workerThreads(),
            settings.workerThreads(),
            0,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(settings.queueCapacity()),
            DaemonThreads.numbered("vgpu-grpc-"),
            new ThreadPoolExecutor.AbortPolicy());
    this.server =
        builder
            .executor(executor)
            .addService(service(engine))
            .addService(health.getHealthService())
            .maxInboundMessageSize(settings.maxInboundMessageBytes())
            .build();
  }

  /** A server listening on TCP {@code address} (port 0: an ephemeral port, see {@link #port()}). */
  public static GrpcServer tcp(HostPort address, PlacementEngine engine, Settings settings) {
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(address.socketAddress())
            .keepAliveTime(settings.keepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
            .keepAliveTimeout(settings.keepAliveTimeout().toMillis(), TimeUnit.MILLISECONDS)
            .permitKeepAliveTime(settings.permitKeepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
            .permitKeepAliveWithoutCalls(true)
            .maxConcurrentCallsPerConnection(settings.maxConcurrentCallsPerConnection());
    return new GrpcServer(builder, engine, settings);
  }

  /** The scheduler service as installed: behind the error-mapping interceptor. */
  static ServerServiceDefinition service(PlacementEngine engine) {
    return ServerInterceptors.intercept(new VgpuSchedulerService(engine), new ErrorMappingInterceptor());
  }

  /**
   * Starts serving; the scheduler service then reports SERVING on the health service.
   *
   * @throws UncheckedIOException when the address cannot be bound
   */
  public GrpcServer start() {
    try {
      server.start();
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UncheckedIOException("cannot start the gRPC server: " + e.getMessage(), e);
    }
    health.setStatus(VgpuSchedulerGrpc.SERVICE_NAME, ServingStatus.SERVING);
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    LOG.info("gRPC VgpuScheduler listening on {}", server.getListenSockets());
    return this;
  }

  /** The bound TCP port (the actual one when started on port 0); -1 for transports without ports. */
  public int port() {
    return server.getPort();
  }

  /**
   * Graceful, bounded stop: health turns NOT_SERVING, new calls are refused, in-flight calls get
   * {@link Settings#shutdownGrace()} to finish, then are cancelled. Idempotent.
   */
  public void stop() {
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("gRPC calls still running after {}; cancelling them", shutdownGrace);
        server.shutdownNow();
        server.awaitTermination(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      executor.shutdownNow();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
