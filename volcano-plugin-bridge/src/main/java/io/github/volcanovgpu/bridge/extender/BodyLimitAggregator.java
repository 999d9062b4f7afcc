package io.github.volcanovgpu.bridge.extender;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty's aggregator with a JSON 413. Netty stops aggregating as soon as a body is known to be too large: at the
 * headers for a Content-Length above the limit, at the first chunk past the limit for a chunked body; the rest of
 * that body is discarded as it arrives, never buffered.
 *
 * <p>After a 413 for a body announced by Content-Length on a keep-alive connection the connection stays usable.
 * Otherwise (a chunked body cut mid-stream, or no keep-alive) the answer says {@code Connection: close}; the
 * connection is closed once the client has finished sending (so the client reads the 413 rather than a reset), or
 * after {@link #LINGER_SECONDS} at the latest.
 */
public final class BodyLimitAggregator extends HttpObjectAggregator {
  private static final Logger log = LoggerFactory.getLogger(BodyLimitAggregator.class);
  static final int LINGER_SECONDS = 5;

  private final String limitOption;
  private boolean closeAfterDiscard;

  BodyLimitAggregator(int maxBodyBytes) {
    this(maxBodyBytes, "--max-body-bytes");
  }

  /** @param limitOption the command-line option that sets the limit, named in the 413 answer */
  public BodyLimitAggregator(int maxBodyBytes, String limitOption) {
    super(maxBodyBytes, true);
    this.limitOption = limitOption;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    if (!(oversized instanceof HttpRequest request)) {
      ctx.close();
      return;
    }
    boolean announced = !(oversized instanceof FullHttpMessage);
    boolean keepOpen = announced && ctx.channel().config().isAutoRead() && HttpUtil.isKeepAlive(request);
    String uri = request.uri();
    log.warn("answered 413 to {} {}: body larger than {} bytes", request.method(), uri, maxContentLength());
    byte[] body =
        ("{\"error\":\"request body is larger than the limit of " + maxContentLength()
            + " bytes (" + limitOption + ")\"}")
            .getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(body));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    if (keepOpen) {
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
      return;
    }
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    closeAfterDiscard = true;
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    ctx.executor().schedule(() -> ctx.close(), LINGER_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    boolean last = closeAfterDiscard && msg instanceof LastHttpContent;
    super.channelRead(ctx, msg);
    if (last) {
      ctx.close();
    }
  }
}
