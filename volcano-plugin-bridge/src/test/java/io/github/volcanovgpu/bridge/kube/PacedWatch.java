package io.github.volcanovgpu.bridge.kube;

import io.kubernetes.client.openapi.ApiClient;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import okhttp3.Interceptor;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.Okio;
import okio.Source;
import okio.Timeout;

/**
 * Watch streams as a loaded machine delivers them: every watch event (one JSON line) reaches the informer
 * {@code delay} after the one before, so whatever a test reads between two events of one object is seen, every time,
 * instead of once in a while. Lists are not delayed. For informer tests: a test that asserts on a state before the
 * event that completes it arrived fails here deterministically.
 */
final class PacedWatch implements Interceptor {
  private final long delayMillis;

  private PacedWatch(Duration delay) {
    this.delayMillis = delay.toMillis();
  }

  /** {@code watchClient} with its watch responses paced; the client is changed in place and returned. */
  static ApiClient pacing(ApiClient watchClient, Duration delay) {
    watchClient.setHttpClient(watchClient.getHttpClient().newBuilder().addInterceptor(new PacedWatch(delay)).build());
    return watchClient;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Response response = chain.proceed(chain.request());
    ResponseBody body = response.body();
    if (!"true".equals(chain.request().url().queryParameter("watch")) || body == null) {
      return response;
    }
    BufferedSource paced = Okio.buffer(new EventBySource(body.source(), delayMillis));
    return response.newBuilder().body(ResponseBody.create(paced, body.contentType(), -1L)).build();
  }

  /** Hands out the upstream's bytes one line at a time, sleeping before each line. */
  private static final class EventBySource implements Source {
    private final BufferedSource upstream;
    private final long delayMillis;
    /** Bytes of the current line still to hand out; 0 at the start of a line. */
    private long lineLeft;

    EventBySource(BufferedSource upstream, long delayMillis) {
      this.upstream = upstream;
      this.delayMillis = delayMillis;
    }

    @Override
    public long read(Buffer sink, long byteCount) throws IOException {
      if (lineLeft == 0) {
        long newline = upstream.indexOf((byte) '\n'); // blocks until a whole event is there, or the end
        if (newline < 0) {
          return upstream.read(sink, byteCount);
        }
        try {
          Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("watch closed while pacing");
        }
        lineLeft = newline + 1;
      }
      long n = upstream.read(sink, Math.min(byteCount, lineLeft));
      if (n > 0) {
        lineLeft -= n;
      }
      return n;
    }

    @Override
    public Timeout timeout() {
      return upstream.timeout();
    }

    @Override
    public void close() throws IOException {
      upstream.close();
    }
  }
}
