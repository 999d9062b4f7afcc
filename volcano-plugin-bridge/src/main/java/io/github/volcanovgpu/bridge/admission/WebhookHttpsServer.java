package io.github.volcanovgpu.bridge.admission;

import io.github.volcanovgpu.bridge.extender.BodyLimitAggregator;
import io.github.volcanovgpu.contract.admission.AdmissionContract;
import io.github.volcanovgpu.process.DaemonThreads;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission webhook's HTTPS front door (Netty, TLS from {@link ReloadingTls}): {@code POST}
 * {@value AdmissionContract#MUTATE_PATH} and {@value AdmissionContract#VALIDATE_PATH} take an AdmissionReview v1 and
 * answer one; {@code GET /healthz} answers ok. A body larger than {@link Options#maxBodyBytes()} gets 413 before it
 * is read (as the extender's); a body that is not an AdmissionReview gets 400 with a review whose message says what
 * is wrong; a decision that takes longer than {@link Options#requestTimeout()}, or that finds every worker busy, gets
 * 503 (the API server then applies the webhook's failurePolicy); a connection silent for
 * {@link Options#idleTimeout()} is closed (a client that never finishes its request holds nothing for long).
 */
public final class WebhookHttpsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookHttpsServer.class);

  /**
   * @param maxBodyBytes largest AdmissionReview accepted (a pod is a few KB; the API server's own limit is 3 MiB)
   * @param requestTimeout longest a decision may take before the answer is 503
   */
  public record Options(String host, int port, int maxBodyBytes, int workerThreads, Duration requestTimeout,
      Duration idleTimeout, Duration shutdownTimeout) {
    public Options {
      Objects.requireNonNull(host, "host");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, got " + port);
      }
      if (maxBodyBytes < 1 || workerThreads < 1) {
        throw new IllegalArgumentException("maxBodyBytes and workerThreads must be positive");
      }
      if (requestTimeout.isNegative() || requestTimeout.isZero() || idleTimeout.isNegative()
          || shutdownTimeout.isNegative()) {
        throw new IllegalArgumentException("timeouts must be positive");
      }
    }

    /** 3 MiB bodies (the API server's own request limit), 4 workers, 8 s per decision, 60 s idle, 5 s shutdown. */
    public static Options defaults(String host, int port) {
      return new Options(host, port, 3 << 20, 4, Duration.ofSeconds(8), Duration.ofSeconds(60),
          Duration.ofSeconds(5));
    }

    public Options withMaxBodyBytes(int bytes) {
      return new Options(host, port, bytes, workerThreads, requestTimeout, idleTimeout, shutdownTimeout);
    }

    public Options withRequestTimeout(Duration timeout) {
      return new Options(host, port, maxBodyBytes, workerThreads, timeout, idleTimeout, shutdownTimeout);
    }
  }

  private final Options options;
  private final ReloadingTls tls;
  private final PodAdmission admission;
  private final WebhookObserver observer;
  private final Object lifecycle = new Object();
  private @Nullable EventLoopGroup group;
  private @Nullable ThreadPoolExecutor workers;
  private @Nullable Channel channel;
  private boolean closed;

  public WebhookHttpsServer(Options options, ReloadingTls tls, PodAdmission admission, WebhookObserver observer) {
    this.options = Objects.requireNonNull(options, "options");
    this.tls = Objects.requireNonNull(tls, "tls");
    this.admission = Objects.requireNonNull(admission, "admission");
    this.observer = Objects.requireNonNull(observer, "observer");
  }

  public WebhookHttpsServer start() throws InterruptedException {
    synchronized (lifecycle) {
      if (group != null || closed) {
        throw new IllegalStateException("server already started or closed");
      }
      EventLoopGroup g = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("vgpu-webhook-io", true),
          NioIoHandler.newFactory());
      ThreadPoolExecutor pool = new ThreadPoolExecutor(options.workerThreads(), options.workerThreads(), 60,
          TimeUnit.SECONDS, new ArrayBlockingQueue<>(256), DaemonThreads.numbered("vgpu-webhook-worker-"),
          new ThreadPoolExecutor.AbortPolicy());
      long idleSeconds = Math.max(1, options.idleTimeout().toSeconds());
      ServerBootstrap b = new ServerBootstrap().group(g).channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline()
                  .addLast("tls", tls.context().newHandler(ch.alloc()))
                  .addLast("idle", new IdleStateHandler(0, 0, idleSeconds, TimeUnit.SECONDS))
                  .addLast("codec", new HttpServerCodec())
                  .addLast("aggregate", new BodyLimitAggregator(options.maxBodyBytes(), "--webhook-max-body-bytes"))
                  .addLast("webhook", new Handler(pool));
            }
          });
      try {
        channel = b.bind(options.host(), options.port()).sync().channel();
      } catch (RuntimeException | InterruptedException e) {
        pool.shutdownNow();
        g.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        throw e;
      }
      group = g;
      workers = pool;
      LOG.info("admission webhook listening on https://{} (body limit {} bytes, decision timeout {})",
          channel.localAddress(), options.maxBodyBytes(), options.requestTimeout());
      return this;
    }
  }

  public InetSocketAddress address() {
    synchronized (lifecycle) {
      if (channel == null) {
        throw new IllegalStateException("server not started");
      }
      return (InetSocketAddress) channel.localAddress();
    }
  }

  public int port() {
    return address().getPort();
  }

  @Override
  public void close() {
    EventLoopGroup g;
    ThreadPoolExecutor pool;
    Channel ch;
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      g = group;
      pool = workers;
      ch = channel;
    }
    if (g == null || pool == null) {
      return;
    }
    long millis = options.shutdownTimeout().toMillis();
    if (ch != null) {
      ch.close().awaitUninterruptibly(millis);
    }
    pool.shutdown();
    try {
      if (!pool.awaitTermination(millis, TimeUnit.MILLISECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pool.shutdownNow();
    }
    g.shutdownGracefully(0, Math.max(100, millis), TimeUnit.MILLISECONDS).awaitUninterruptibly(millis + 1000);
    LOG.info("admission webhook stopped");
  }

  /** One connection: requests answered in order (the API server sends one at a time per connection). */
  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final ThreadPoolExecutor pool;

    Handler(ThreadPoolExecutor pool) {
      this.pool = pool;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      long start = System.nanoTime();
      String path = request.uri();
      int q = path.indexOf('?');
      if (q >= 0) {
        path = path.substring(0, q);
      }
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      if (request.method().equals(HttpMethod.GET) && path.equals("/healthz")) {
        reply(ctx, keepAlive, HttpResponseStatus.OK, "text/plain", bytes("ok\n"), "healthz", "allowed", start);
        return;
      }
      boolean mutate = path.equals(AdmissionContract.MUTATE_PATH);
      if (!mutate && !path.equals(AdmissionContract.VALIDATE_PATH)) {
        reply(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, "application/json",
            error("no such path " + path + " (the webhook serves " + AdmissionContract.MUTATE_PATH + " and "
                + AdmissionContract.VALIDATE_PATH + ")"),
            "other", "error", start);
        return;
      }
      String route = mutate ? "mutate" : "validate";
      if (!request.method().equals(HttpMethod.POST)) {
        reply(ctx, keepAlive, HttpResponseStatus.METHOD_NOT_ALLOWED, "application/json",
            error(route + " takes POST"), route, "error", start);
        return;
      }
      byte[] body = ByteBufUtil.getBytes(request.content());
      AtomicBoolean answered = new AtomicBoolean();
      ScheduledFuture<?> timeout = ctx.executor().schedule(() -> {
        if (answered.compareAndSet(false, true)) {
          LOG.warn("admission {} took longer than {}; answered 503", route, options.requestTimeout());
          reply(ctx, keepAlive, HttpResponseStatus.SERVICE_UNAVAILABLE, "application/json",
              error("the decision took longer than " + options.requestTimeout()), route, "error", start);
        }
      }, options.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
      try {
        pool.execute(() -> {
          Answer a = decide(body, mutate);
          if (answered.compareAndSet(false, true)) {
            timeout.cancel(false);
            ctx.executor().execute(() -> reply(ctx, keepAlive, a.status(), "application/json", a.body(), route,
                a.outcome(), start));
          }
        });
      } catch (RejectedExecutionException e) {
        if (answered.compareAndSet(false, true)) {
          timeout.cancel(false);
          reply(ctx, keepAlive, HttpResponseStatus.SERVICE_UNAVAILABLE, "application/json",
              error("every admission worker is busy"), route, "error", start);
        }
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof IdleStateEvent) {
        ctx.close();
        return;
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("admission webhook connection {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }

  private record Answer(HttpResponseStatus status, byte[] body, String outcome) {}

  private Answer decide(byte[] body, boolean mutate) {
    AdmissionRequest request;
    try {
      request = AdmissionReviewCodec.decode(body);
    } catch (MalformedReviewException e) {
      return new Answer(HttpResponseStatus.BAD_REQUEST, AdmissionReviewCodec.malformed(e.getMessage()), "malformed");
    }
    try {
      AdmissionDecision d = mutate ? admission.mutate(request) : admission.validate(request);
      return new Answer(HttpResponseStatus.OK, AdmissionReviewCodec.encode(request.uid(), d),
          d instanceof AdmissionDecision.Denied ? "denied" : "allowed");
    } catch (MalformedReviewException e) {
      return new Answer(HttpResponseStatus.OK,
          AdmissionReviewCodec.encode(request.uid(), new AdmissionDecision.Denied(e.getMessage(), 400)), "malformed");
    } catch (RuntimeException e) {
      LOG.error("admission {} of review {} failed", mutate ? "mutate" : "validate", request.uid(), e);
      return new Answer(HttpResponseStatus.INTERNAL_SERVER_ERROR, error("internal error: " + e), "error");
    }
  }

  private void reply(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String type,
      byte[] body, String route, String outcome, long start) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    var f = ctx.writeAndFlush(response);
    f.addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    observer.answered(route, status.code(), outcome, System.nanoTime() - start);
  }

  private static byte[] error(String message) {
    return ("{\"error\":" + quote(message) + "}").getBytes(StandardCharsets.UTF_8);
  }

  private static String quote(String s) {
    try {
      return AdmissionReviewCodec.mapper().writeValueAsString(s);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
