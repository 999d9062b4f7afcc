package io.github.volcanovgpu.plugin.monitor;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns findings into Warning Events, once per finding while it lasts: a share exceeded on the container's pod
 * ({@value #SHARE_EXCEEDED}), a process no share covers on the node ({@value #UNEXPLAINED}, it has no pod we know).
 * A finding that ends and comes back is recorded again. An Event the API server refuses is tried again on the next
 * read. Called from one thread.
 */
public final class FindingEvents {
  public static final String SHARE_EXCEEDED = "VgpuShareExceeded";
  public static final String UNEXPLAINED = "VgpuUnexplainedUsage";
  private static final Logger LOG = LoggerFactory.getLogger(FindingEvents.class);

  private final EventSink sink;
  private final Set<String> recorded = new HashSet<>();

  public FindingEvents(EventSink sink) {
    this.sink = Objects.requireNonNull(sink, "sink");
  }

  public void report(List<UsageFinding> findings) {
    Set<String> current = new HashSet<>();
    for (UsageFinding f : findings) {
      current.add(f.key());
      if (recorded.contains(f.key())) {
        continue;
      }
      try {
        if (f instanceof UsageFinding.ShareExceeded e) {
          ContainerCard c = e.card();
          sink.onPod(c.namespace(), c.pod(), c.podUid(), SHARE_EXCEEDED, "container " + c.container() + " uses "
              + mib(e.usedBytes()) + " of device memory on " + c.deviceUuid() + " (its device " + c.vdeviceIndex()
              + "), over its share of " + mib(e.limitBytes()));
        } else if (f instanceof UsageFinding.UnexplainedProcess p) {
          sink.onNode(UNEXPLAINED, "process " + p.hostPid() + " uses " + mib(p.usedBytes()) + " on "
              + p.deviceUuid() + " and no container's vGPU share covers it (not a libvgpu process of a container "
              + "assigned this card)");
        }
        recorded.add(f.key());
      } catch (RuntimeException ex) {
        LOG.warn("cannot record event for {}: {}", f.key(), ex.getMessage());
      }
    }
    recorded.retainAll(current);
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }
}
