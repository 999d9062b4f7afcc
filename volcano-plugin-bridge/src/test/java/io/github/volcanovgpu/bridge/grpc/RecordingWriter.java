package io.github.volcanovgpu.bridge.grpc;

import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.scheduling.AssignmentWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Records annotation patches; can be told to fail the next writes. */
final class RecordingWriter implements AssignmentWriter {
  record Patch(String podUid, Map<String, Optional<String>> changes) {}

  private final List<Patch> patches = new ArrayList<>();
  private @Nullable RuntimeException failure;

  @Override
  public synchronized void patchAnnotations(PodView pod, Map<String, Optional<String>> changes) {
    if (failure != null) {
      throw failure;
    }
    patches.add(new Patch(pod.uid(), Map.copyOf(changes)));
  }

  synchronized void failWith(RuntimeException e) {
    failure = e;
  }

  synchronized List<Patch> patches() {
    return List.copyOf(patches);
  }
}
