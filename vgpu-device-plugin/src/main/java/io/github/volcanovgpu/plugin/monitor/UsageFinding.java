package io.github.volcanovgpu.plugin.monitor;

/** Something the ledger does not explain, for a metric and an Event. */
public sealed interface UsageFinding {
  /** A stable key: the same finding on the next read has the same key (an Event is recorded once per key). */
  String key();

  /**
   * A container uses more memory on a card than its share.
   *
   * @param usedBytes the larger of libvgpu's count and the driver's count for the container's processes
   */
  record ShareExceeded(ContainerCard card, long usedBytes, long limitBytes) implements UsageFinding {
    @Override
    public String key() {
      return "exceeded/" + card.podUid() + "/" + card.container() + "/" + card.deviceUuid();
    }
  }

  /** A process uses a card and no container's region claims it: no share covers it. */
  record UnexplainedProcess(String deviceUuid, int hostPid, long usedBytes) implements UsageFinding {
    @Override
    public String key() {
      return "unexplained/" + deviceUuid + "/" + hostPid;
    }
  }
}
