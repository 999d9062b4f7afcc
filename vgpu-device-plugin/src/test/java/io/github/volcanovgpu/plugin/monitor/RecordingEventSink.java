package io.github.volcanovgpu.plugin.monitor;

import java.util.ArrayList;
import java.util.List;

/** An {@link EventSink} that records one line per Event; fails the next {@link #failures} calls. */
public final class RecordingEventSink implements EventSink {
  public final List<String> events = new ArrayList<>();
  public int failures;

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
