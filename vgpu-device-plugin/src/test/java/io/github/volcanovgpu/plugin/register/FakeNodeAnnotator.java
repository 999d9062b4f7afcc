package io.github.volcanovgpu.plugin.register;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An in-memory node's annotations that counts patches. */
final class FakeNodeAnnotator implements NodeAnnotator {
  final Map<String, String> annotations = new HashMap<>();
  final List<Map<String, Optional<String>>> patches = new ArrayList<>();
  RuntimeException failure;

  @Override
  public synchronized Map<String, String> annotations(String node) {
    if (failure != null) {
      throw failure;
    }
    return Map.copyOf(annotations);
  }

  @Override
  public synchronized void patch(String node, Map<String, Optional<String>> changes) {
    if (failure != null) {
      throw failure;
    }
    patches.add(changes);
    changes.forEach((k, v) -> {
      if (v.isPresent()) {
        annotations.put(k, v.get());
      } else {
        annotations.remove(k);
      }
    });
  }
}
