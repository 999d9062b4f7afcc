package io.github.volcanovgpu.bridge.extender;

import io.github.volcanovgpu.process.DaemonThreads;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Volcano extender front door: HTTP/1.1 on Netty (native epoll when available, NIO otherwise).
 *
 * <p>Routes: {@code POST /predicate}, {@code /prioritize}, {@code /allocate}, {@code /deallocate},
 * {@code /onSessionOpen}, {@code /onSessionClose}; {@code GET /healthz}, {@code GET /readyz} and, when a scrape
 * supplier is given, {@code GET /metrics}. Connections are kept alive; requests of one connection are answered in
 * order, requests of different connections concurrently. Decisions run on a bounded pool of named worker threads,
 * never on the event loop (allocate makes blocking API-server calls). A body larger than
 * {@link Options#maxBodyBytes()} is answered 413 as soon as its length is known (Content-Length) or exceeded
 * (chunked), without reading the rest into memory.
 */
public final class ExtenderHttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ExtenderHttpServer.class);

  /**
   * Server settings.
   *
   * @param host address to bind ({@code 0.0.0.0} for all)
   * @param port port to bind, 0 for any free port (see {@link #port()})
   * @param maxBodyBytes largest request body accepted; larger ones get 413
   * @param ioThreads event-loop threads (socket I/O and HTTP codec only)
   * @param workerThreads threads that parse bodies and run decisions (Volcano calls predicate from 16 workers)
   * @param workerQueue requests waiting for a worker beyond which new requests get 503
   * @param idleTimeout a connection with no traffic for this long is closed
   * @param shutdownTimeout how long {@link #close()} waits for requests in progress
   */
  public record Options(
      String host,
      int port,
      int maxBodyBytes,
      int ioThreads,
      int workerThreads,
      int workerQueue,
      Duration idleTimeout,
      Duration shutdownTimeout) {
    /**
     * 64 MiB: a prioritize body carries every candidate node with all its pods (about 74 KB for an 8-GPU node with
     * 40 small pods, several times that in real clusters), so 500 candidates of 100+ KB fit.
     */
    public static final int DEFAULT_MAX_BODY_BYTES = 64 << 20;

    public Options {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(idleTimeout, "idleTimeout");
      Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, got " + port);
      }
      if (maxBodyBytes < 1) {
        throw new IllegalArgumentException("maxBodyBytes must be positive, got " + maxBodyBytes);
      }
      if (ioThreads < 1 || workerThreads < 1 || workerQueue < 1) {
        throw new IllegalArgumentException("ioThreads, workerThreads and workerQueue must be positive");
      }
      if (idleTimeout.isNegative() || shutdownTimeout.isNegative()) {
        throw new IllegalArgumentException("timeouts must not be negative");
      }
    }

    /** Defaults: 64 MiB bodies, 16 workers, 1024 queued requests, 5 min idle, 10 s shutdown. */
    public static Options defaults(String host, int port) {
      int cores = Runtime.getRuntime().availableProcessors();
      return new Options(host, port, DEFAULT_MAX_BODY_BYTES, Math.max(1, Math.min(4, cores)), 16, 1024,
          Duration.ofMinutes(5), Duration.ofSeconds(10));
    }

    public Options withMaxBodyBytes(int bytes) {
      return new Options(host, port, bytes, ioThreads, workerThreads, workerQueue, idleTimeout, shutdownTimeout);
    }

    public Options withWorkers(int threads, int queue) {
      return new Options(host, port, maxBodyBytes, ioThreads, threads, queue, idleTimeout, shutdownTimeout);
    }

    public Options withShutdownTimeout(Duration timeout) {
      return new Options(host, port, maxBodyBytes, ioThreads, workerThreads, workerQueue, idleTimeout, timeout);
    }
  }

  private final Options options;
  private final ExtenderEndpoint endpoint;
  private final BooleanSupplier readiness;
  private final @Nullable Supplier<String> metrics;
  private final ExtenderRequestObserver observer;
  private final Object lifecycle = new Object();
  /** Requests handed to a worker whose answer is not written yet. */
  private final AtomicInteger unanswered = new AtomicInteger();
  private @Nullable EventLoopGroup ioGroup;
  private @Nullable ThreadPoolExecutor workers;
  private @Nullable Channel serverChannel;
  private boolean closed;

  /**
   * @param readiness answers {@code GET /readyz} (200 when true, 503 otherwise)
   * @param metrics the Prometheus text for {@code GET /metrics}; null to serve metrics elsewhere (404 here)
   */
  public ExtenderHttpServer(
      Options options,
      ExtenderEndpoint endpoint,
      BooleanSupplier readiness,
      @Nullable Supplier<String> metrics,
      ExtenderRequestObserver observer) {
    this.options = Objects.requireNonNull(options, "options");
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.readiness = Objects.requireNonNull(readiness, "readiness");
    this.metrics = metrics;
    this.observer = Objects.requireNonNull(observer, "observer");
  }

  /**
   * Binds and starts serving.
   *
   * @throws IllegalStateException if already started or closed
   * @throws java.io.UncheckedIOException (via Netty) when the address cannot be bound
   */
  public ExtenderHttpServer start() throws InterruptedException {
    synchronized (lifecycle) {
      if (ioGroup != null || closed) {
        throw new IllegalStateException("server already started or closed");
      }
      boolean epoll = Epoll.isAvailable();
      IoHandlerFactory ioFactory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
      Class<? extends ServerChannel> channelType =
          epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
      EventLoopGroup group =
          new MultiThreadIoEventLoopGroup(
              options.ioThreads(), new DefaultThreadFactory("vgpu-extender-io", false), ioFactory);
      ThreadPoolExecutor pool =
          new ThreadPoolExecutor(
              options.workerThreads(),
              options.workerThreads(),
              60,
              TimeUnit.SECONDS,
              new ArrayBlockingQueue<>(options.workerQueue()),
              DaemonThreads.numbered("vgpu-extender-worker-"),
              new ThreadPoolExecutor.AbortPolicy());
      ExtenderHttpHandler.Shared shared =
          new ExtenderHttpHandler.Shared(endpoint, pool, readiness, metrics, observer, unanswered);
      long idleSeconds = Math.max(1, options.idleTimeout().toSeconds());
      ServerBootstrap bootstrap =
          new ServerBootstrap()
              .group(group)
              .channel(channelType)
              .option(ChannelOption.SO_BACKLOG, 1024)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childOption(ChannelOption.SO_KEEPALIVE, true)
              // request bodies are tens of KB to tens of MB: read in large pieces
              .childOption(ChannelOption.RECVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(4096, 65536, 1 << 20))
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast("idle", new IdleStateHandler(0, 0, idleSeconds, TimeUnit.SECONDS))
                          .addLast("codec", new HttpServerCodec(new HttpDecoderConfig().setMaxChunkSize(1 << 20)))
                          .addLast("aggregate", new BodyLimitAggregator(options.maxBodyBytes()))
                          .addLast("extender", new ExtenderHttpHandler(shared));
                    }
                  });
      try {
        serverChannel = bootstrap.bind(options.host(), options.port()).sync().channel();
      } catch (RuntimeException | InterruptedException e) {
        pool.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        throw e;
      }
      ioGroup = group;
      workers = pool;
      log.info("extender HTTP server listening on {} ({}, {} workers, body limit {} bytes)",
          serverChannel.localAddress(), epoll ? "epoll" : "nio", options.workerThreads(),
          options.maxBodyBytes());
      return this;
    }
  }

  /** The bound address (the actual port when {@link Options#port()} was 0). */
  public InetSocketAddress address() {
    synchronized (lifecycle) {
      if (serverChannel == null) {
        throw new IllegalStateException("server not started");
      }
      return (InetSocketAddress) serverChannel.localAddress();
    }
  }

  public int port() {
    return address().getPort();
  }

  /** Requests accepted but waiting for a free worker (0 before start and after close). */
  int queuedRequests() {
    synchronized (lifecycle) {
      return workers == null ? 0 : workers.getQueue().size();
    }
  }

  /**
   * Stops accepting connections, lets requests in progress finish for at most
   * {@link Options#shutdownTimeout()}, then closes every connection. Requests arriving meanwhile get 503.
   */
  @Override
  public void close() {
    EventLoopGroup group;
    ThreadPoolExecutor pool;
    Channel channel;
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      group = ioGroup;
      pool = workers;
      channel = serverChannel;
    }
    if (group == null || pool == null) {
      return;
    }
    long deadline = System.nanoTime() + options.shutdownTimeout().toNanos();
    if (channel != null) {
      channel.close().awaitUninterruptibly(options.shutdownTimeout().toMillis());
    }
    pool.shutdown();
    boolean drained;
    try {
      drained = pool.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      drained = false;
    }
    if (!drained) {
      log.warn("extender HTTP server: {} request(s) still running after {}; interrupting them",
          pool.getActiveCount(), options.shutdownTimeout());
      pool.shutdownNow();
    }
    // the answers of the drained requests are queued on the event loops: let them reach their sockets before the
    // loops close every connection
    while (unanswered.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    long leftMillis = Math.max(100, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    group.shutdownGracefully(50, leftMillis, TimeUnit.MILLISECONDS).awaitUninterruptibly(leftMillis + 1000);
    log.info("extender HTTP server stopped");
  }
}
