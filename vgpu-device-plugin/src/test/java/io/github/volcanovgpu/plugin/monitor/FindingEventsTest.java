package io.github.volcanovgpu.plugin.monitor;

import static io.github.volcanovgpu.plugin.monitor.Regions.GPU0;
import static io.github.volcanovgpu.plugin.monitor.Regions.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FindingEventsTest {
  /** Records what it is given; fails the next {@code failures} calls. */
  static final class RecordingSink implements EventSink {
    final List<String> events = new ArrayList<>();
    int failures;

    @Override
    public void onPod(String namespace, String pod, String podUid, String reason, String message) {
      fail();
      events.add("pod " + namespace + "/" + pod + " " + podUid + " " + reason + ": " + message);
    }

    @Override
    public void onNode(String reason, String message) {
      fail();
      events.add("node " + reason + ": " + message);
    }

    private void fail() {
      if (failures > 0) {
        failures--;
        throw new IllegalStateException("API server unreachable");
      }
    }
  }

  private static final UsageFinding EXCEEDED = new UsageFinding.ShareExceeded(new ContainerCard("ns", "a", "uid-a",
      "main", 0, GPU0, 1500 * MIB, 1024 * MIB, 0, 0), 1500 * MIB, 1024 * MIB);
  private static final UsageFinding UNEXPLAINED = new UsageFinding.UnexplainedProcess(GPU0, 5000, 64 * MIB);

  @Test
  void eachFindingIsRecordedOnceWhileItLastsAndAgainWhenItComesBack() {
    RecordingSink sink = new RecordingSink();
    FindingEvents events = new FindingEvents(sink);

    events.report(List.of(EXCEEDED, UNEXPLAINED));
    events.report(List.of(EXCEEDED, UNEXPLAINED));
    events.report(List.of());
    events.report(List.of(EXCEEDED));

    assertThat(sink.events).containsExactly(
        "pod ns/a uid-a VgpuShareExceeded: container main uses 1500.0 MiB of device memory on " + GPU0
            + " (its device 0), over its share of 1024.0 MiB",
        "node VgpuUnexplainedUsage: process 5000 uses 64.0 MiB on " + GPU0 + " and no container's vGPU share covers"
            + " it (not a libvgpu process of a container assigned this card)",
        "pod ns/a uid-a VgpuShareExceeded: container main uses 1500.0 MiB of device memory on " + GPU0
            + " (its device 0), over its share of 1024.0 MiB");
  }

  @Test
  void anEventTheApiServerRefusedIsTriedAgainOnTheNextRead() {
    RecordingSink sink = new RecordingSink();
    sink.failures = 1;
    FindingEvents events = new FindingEvents(sink);

    events.report(List.of(UNEXPLAINED));
    events.report(List.of(UNEXPLAINED));

    assertThat(sink.events).hasSize(1);
  }
}
