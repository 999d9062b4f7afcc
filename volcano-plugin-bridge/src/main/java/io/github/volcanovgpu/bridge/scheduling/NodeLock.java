package io.github.volcanovgpu.bridge.scheduling;

import io.github.volcanovgpu.bridge.model.PodView;

/**
 * The optional node lock of Volcano / HAMi: an annotation on the Node named by the device kind ({@code hamivgpu},
 * {@code hami.io/mutex.lock}), value RFC 3339, taken by the scheduler at allocation and released by the device
 * plugin after its Allocate (or on expiry after 5 minutes).
 */
public interface NodeLock {
  /**
   * Takes the lock {@code name} for {@code pod} on {@code node}, retrying with backoff.
   *
   * @throws NodeLockException when the node stays locked or the lock cannot be written
   */
  void lock(String node, String name, PodView pod);

  /** Releases a lock this process took (used when the allocation is rolled back before the device plugin ran). */
  void release(String node, String name, PodView pod);

  /** Why the lock could not be taken. */
  final class NodeLockException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NodeLockException(String message) {
      super(message);
    }

    public NodeLockException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Node lock off (the default): several pods may be in flight per node; the ledger prevents overcommit. */
  NodeLock DISABLED =
      new NodeLock() {
        @Override
        public void lock(String node, String name, PodView pod) {}

        @Override
        public void release(String node, String name, PodView pod) {}
      };
}
