package io.github.volcanovgpu.plugin.monitor;

import static io.github.volcanovgpu.plugin.monitor.Regions.GPU0;
import static io.github.volcanovgpu.plugin.monitor.Regions.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FindingEventsTest {
  private static final UsageFinding EXCEEDED = new UsageFinding.ShareExceeded(new ContainerCard("ns", "a", "uid-a",
      "main", 0, GPU0, 1500 * MIB, 1024 * MIB, 0, 0), 1500 * MIB, 1024 * MIB);
  private static final UsageFinding UNEXPLAINED = new UsageFinding.UnexplainedProcess(GPU0, 5000, 64 * MIB);

  @Test
  void eachFindingIsRecordedOnceWhileItLastsAndAgainWhenItComesBack() {
    RecordingEventSink sink = new RecordingEventSink();
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
    RecordingEventSink sink = new RecordingEventSink();
    sink.failures = 1;
    FindingEvents events = new FindingEvents(sink);

    events.report(List.of(UNEXPLAINED));
    events.report(List.of(UNEXPLAINED));

    assertThat(sink.events).hasSize(1);
  }
}
