package io.github.volcanovgpu.bridge.admission;

/** Told of every answered request (for metrics). */
@FunctionalInterface
public interface WebhookObserver {
  /**
   * @param route {@code mutate}, {@code validate}, {@code healthz} or {@code other}
   * @param status the HTTP status answered
   * @param outcome {@code allowed}, {@code denied}, {@code malformed} or {@code error}
   */
  void answered(String route, int status, String outcome, long nanos);

  WebhookObserver NONE = (route, status, outcome, nanos) -> {};
}
