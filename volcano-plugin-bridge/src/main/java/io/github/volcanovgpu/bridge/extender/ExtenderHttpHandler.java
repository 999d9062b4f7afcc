package io.github.volcanovgpu.bridge.extender;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of the extender server. Runs on the connection's event loop; hands decisions to the worker pool
 * and answers the requests of the connection one at a time, in order (HTTP/1.1 pipelining safe).
 */
final class ExtenderHttpHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ExtenderHttpHandler.class);
  private static final String JSON = "application/json";
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  /** Requests queued on one connection beyond which the handler stops reading from it. */
  private static final int MAX_PENDING_PER_CONNECTION = 16;

  /** What all connections share. */
  record Shared(
      ExtenderEndpoint endpoint,
      ExecutorService workers,
      BooleanSupplier readiness,
      @Nullable Supplier<String> metrics,
      ExtenderRequestObserver observer,
      AtomicInteger unanswered) {}

  private enum Route {
    PREDICATE(ExtenderVerb.PREDICATE),
    PRIORITIZE(ExtenderVerb.PRIORITIZE),
    ALLOCATE(ExtenderVerb.ALLOCATE),
    DEALLOCATE(ExtenderVerb.DEALLOCATE),
    PREEMPTABLE(ExtenderVerb.PREEMPTABLE),
    RECLAIMABLE(ExtenderVerb.RECLAIMABLE),
    ON_SESSION_OPEN(ExtenderVerb.ON_SESSION_OPEN),
    ON_SESSION_CLOSE(ExtenderVerb.ON_SESSION_CLOSE),
    HEALTHZ(null),
    READYZ(null),
    METRICS(null),
    EXPLAIN(null);

    final @Nullable ExtenderVerb verb;

    Route(@Nullable ExtenderVerb verb) {
      this.verb = verb;
    }

    HttpMethod method() {
      return verb != null ? HttpMethod.POST : HttpMethod.GET;
    }

    String label() {
      return verb != null ? verb.wireName() : name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private static final Map<String, Route> ROUTES =
      Map.ofEntries(
          Map.entry("/predicate", Route.PREDICATE),
          Map.entry("/prioritize", Route.PRIORITIZE),
          Map.entry("/allocate", Route.ALLOCATE),
          Map.entry("/deallocate", Route.DEALLOCATE),
          Map.entry("/preemptable", Route.PREEMPTABLE),
          Map.entry("/reclaimable", Route.RECLAIMABLE),
          Map.entry("/onSessionOpen", Route.ON_SESSION_OPEN),
          Map.entry("/onSessionClose", Route.ON_SESSION_CLOSE),
          Map.entry("/healthz", Route.HEALTHZ),
          Map.entry("/readyz", Route.READYZ),
          Map.entry("/metrics", Route.METRICS),
          Map.entry("/explain", Route.EXPLAIN));

  private final Shared shared;
  private final ArrayDeque<FullHttpRequest> pending = new ArrayDeque<>();
  private boolean busy;
  private boolean closing;
  /** The future of the last answer written (event loop only). */
  private @Nullable ChannelFuture lastWrite;

  ExtenderHttpHandler(Shared shared) {
    this.shared = shared;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (closing) {
      request.release();
      return;
    }
    pending.add(request);
    if (pending.size() >= MAX_PENDING_PER_CONNECTION) {
      ctx.channel().config().setAutoRead(false);
    }
    if (!busy) {
      processNext(ctx);
    }
  }

  /** Answers the queued requests in order, until one goes to a worker or none is left. */
  private void processNext(ChannelHandlerContext ctx) {
    while (true) {
      FullHttpRequest request = pending.poll();
      if (request == null) {
        busy = false;
        return;
      }
      busy = true;
      if (!ctx.channel().config().isAutoRead() && pending.size() < MAX_PENDING_PER_CONNECTION / 2) {
        ctx.channel().config().setAutoRead(true);
      }
      if (!handle(ctx, request)) {
        return;
      }
    }
  }

  /**
   * Answers one request, or hands it to a worker.
   *
   * @return true when it was answered here and the connection stays open for the next one
   */
  private boolean handle(ChannelHandlerContext ctx, FullHttpRequest request) {
    long received = System.nanoTime();
    if (!request.decoderResult().isSuccess()) {
      Throwable cause = request.decoderResult().cause();
      request.release();
      closing = true;
      return answer(ctx, HttpVersion.HTTP_1_1, false, "other", received, HttpResponseStatus.BAD_REQUEST, JSON,
          error("malformed HTTP request: " + (cause == null ? "unknown" : cause.getMessage())));
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    HttpVersion version = request.protocolVersion();
    String path = path(request.uri());
    Route route = ROUTES.get(path);
    if (route == null || (route == Route.METRICS && shared.metrics() == null)) {
      request.release();
      return answer(ctx, version, keepAlive, "other", received, HttpResponseStatus.NOT_FOUND, JSON,
          error("no such path: " + path + " (extender verbs are POST /predicate, /prioritize, /allocate,"
              + " /deallocate, /preemptable, /reclaimable, /onSessionOpen, /onSessionClose;"
              + " GET /explain?pod=NS/NAME or ?vcjob=NS/NAME)"));
    }
    if (!request.method().equals(route.method())) {
      String method = request.method().name();
      request.release();
      FullHttpResponse response =
          response(version, HttpResponseStatus.METHOD_NOT_ALLOWED, JSON,
              error(method + " is not allowed on " + path + "; use " + route.method().name()));
      response.headers().set(HttpHeaderNames.ALLOW, route.method().name());
      return send(ctx, response, keepAlive, route.label(), received);
    }
    switch (route) {
      case HEALTHZ -> {
        request.release();
        return answer(ctx, version, keepAlive, route.label(), received, HttpResponseStatus.OK, JSON,
            bytes("{\"status\":\"ok\"}"));
      }
      case READYZ -> {
        request.release();
        boolean ready;
        try {
          ready = shared.readiness().getAsBoolean();
        } catch (RuntimeException e) {
          log.warn("readiness check failed", e);
          ready = false;
        }
        return answer(ctx, version, keepAlive, route.label(), received,
            ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, JSON,
            bytes(ready ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}"));
      }
      default -> {
        return dispatch(ctx, request, route, version, keepAlive, received);
      }
    }
  }

  /**
   * Runs the verb (or the metrics scrape) on a worker, then answers on the event loop and goes on with the next
   * request of the connection.
   *
   * @return true only when the worker pool refused the request and the connection stays open
   */
  private boolean dispatch(ChannelHandlerContext ctx, FullHttpRequest request, Route route, HttpVersion version,
      boolean keepAlive, long received) {
    Runnable work =
        () -> {
          HttpResponseStatus status;
          String contentType = JSON;
          byte[] body;
          try {
            if (route == Route.METRICS) {
              Supplier<String> scrape = shared.metrics();
              body = bytes(scrape == null ? "" : scrape.get());
              contentType = PROMETHEUS_TEXT;
              status = HttpResponseStatus.OK;
            } else if (route == Route.EXPLAIN) {
              ExtenderReply reply = shared.endpoint().explain(query(request.uri()));
              status = HttpResponseStatus.valueOf(reply.httpStatus());
              body = reply.body();
            } else {
              ExtenderReply reply = handleVerb(route, request.content());
              status = HttpResponseStatus.valueOf(reply.httpStatus());
              body = reply.body();
            }
          } catch (Throwable t) {
            log.error("{} failed unexpectedly", route.label(), t);
            status = HttpResponseStatus.INTERNAL_SERVER_ERROR;
            contentType = JSON;
            body = error("internal error while answering " + route.label());
          } finally {
            request.release();
          }
          HttpResponseStatus s = status;
          String type = contentType;
          byte[] b = body;
          try {
            ctx.executor().execute(() -> {
              boolean keep = answer(ctx, version, keepAlive, route.label(), received, s, type, b);
              ChannelFuture written = lastWrite;
              if (written != null) {
                written.addListener(f -> shared.unanswered().decrementAndGet());
              } else {
                shared.unanswered().decrementAndGet();
              }
              if (keep) {
                processNext(ctx);
              }
            });
          } catch (RejectedExecutionException gone) {
            shared.unanswered().decrementAndGet(); // the event loop is gone with its connection
          }
        };
    shared.unanswered().incrementAndGet();
    try {
      shared.workers().execute(work);
      return false;
    } catch (RejectedExecutionException e) {
      shared.unanswered().decrementAndGet();
      request.release();
      boolean shuttingDown = shared.workers().isShutdown();
      closing = closing || shuttingDown;
      return answer(ctx, version, keepAlive, route.label(), received, HttpResponseStatus.SERVICE_UNAVAILABLE, JSON,
          error(shuttingDown
              ? "server is shutting down: request not run"
              : "server busy: all workers taken and the queue is full; request not run, retry"));
    }
  }

  private ExtenderReply handleVerb(Route route, ByteBuf content) {
    ExtenderVerb verb = route.verb;
    if (verb == null) {
      throw new IllegalStateException("not a verb route: " + route);
    }
    int length = content.readableBytes();
    if (content.hasArray()) {
      return shared.endpoint().handle(verb, content.array(), content.arrayOffset() + content.readerIndex(), length);
    }
    byte[] copy = ByteBufUtil.getBytes(content, content.readerIndex(), length, true);
    return shared.endpoint().handle(verb, copy, 0, length);
  }

  /** Writes an answer; true when the connection stays open for the next request. */
  private boolean answer(ChannelHandlerContext ctx, HttpVersion version, boolean keepAlive, String label,
      long received, HttpResponseStatus status, String contentType, byte[] body) {
    return send(ctx, response(version, status, contentType, body), keepAlive, label, received);
  }

  /** Writes a response; true when the connection stays open for the next request. */
  private boolean send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive, String label,
      long received) {
    boolean keep = keepAlive && !closing;
    if (keep) {
      if (response.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      }
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    int status = response.status().code();
    ChannelFuture written = ctx.writeAndFlush(response);
    lastWrite = written;
    if (!keep) {
      closing = true;
      written.addListener(ChannelFutureListener.CLOSE);
    } else {
      written.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }
    try {
      shared.observer().answered(label, status, System.nanoTime() - received);
    } catch (RuntimeException e) {
      log.warn("request observer failed", e);
    }
    if (!keep) {
      busy = false;
      releasePending();
    }
    return keep;
  }

  private static FullHttpResponse response(HttpVersion version, HttpResponseStatus status, String contentType,
      byte[] body) {
    FullHttpResponse response = new DefaultFullHttpResponse(version, status, Unpooled.wrappedBuffer(body));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, contentType)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return response;
  }

  private byte[] error(String message) {
    return VolcanoResponses.badRequest(message);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String query(String uri) {
    int q = uri.indexOf('?');
    return q >= 0 ? uri.substring(q + 1) : "";
  }

  private static String path(String uri) {
    int q = uri.indexOf('?');
    String p = q >= 0 ? uri.substring(0, q) : uri;
    if (p.startsWith("http://") || p.startsWith("https://")) {
      // absolute-form request target
      int slash = p.indexOf('/', p.indexOf("//") + 2);
      p = slash >= 0 ? p.substring(slash) : "/";
    }
    if (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent && !busy) {
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    releasePending();
    super.channelInactive(ctx);
  }

  private void releasePending() {
    FullHttpRequest r;
    while ((r = pending.poll()) != null) {
      r.release();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException) {
      log.debug("extender connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    } else {
      log.warn("extender connection {} failed", ctx.channel().remoteAddress(), cause);
    }
    ctx.close();
  }
}
