package io.github.volcanovgpu.bridge.extender;

/**
 * Told about every answered HTTP request of the extender server (for request metrics). Called on a server thread
 * after the answer is written; must be quick and must not throw.
 */
@FunctionalInterface
public interface ExtenderRequestObserver {
  /**
   * @param route the verb's wire name ({@code predicate}, {@code onSessionOpen}...), {@code healthz},
   *     {@code readyz}, {@code metrics}, or {@code other} for unknown paths
   * @param httpStatus the status sent
   * @param nanos time from the complete request being received to the answer being handed to the socket
   */
  void answered(String route, int httpStatus, long nanos);

  ExtenderRequestObserver NONE = (route, httpStatus, nanos) -> {};
}
