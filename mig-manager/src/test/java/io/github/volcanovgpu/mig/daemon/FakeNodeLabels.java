package io.github.volcanovgpu.mig.daemon;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** In-memory node labels that record every write. */
final class FakeNodeLabels implements NodeLabels {
  final Map<String, String> labels = new LinkedHashMap<>();
  final List<String> states = new ArrayList<>();

  @Override
  public synchronized Map<String, String> labels() {
    return Map.copyOf(labels);
  }

  @Override
  public synchronized void set(Map<String, String> changes) {
    labels.putAll(changes);
    String s = changes.get(MigConfigDaemon.STATE_LABEL);
    if (s != null) {
      states.add(s);
    }
  }
}
