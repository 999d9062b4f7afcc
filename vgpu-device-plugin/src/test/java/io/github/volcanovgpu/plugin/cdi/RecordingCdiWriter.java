package io.github.volcanovgpu.plugin.cdi;

import io.github.volcanovgpu.cdi.CdiCodec;
import io.github.volcanovgpu.cdi.CdiSpec;
import io.github.volcanovgpu.cdi.Kind;
import io.github.volcanovgpu.cdi.store.CdiSpecWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An in-memory {@link CdiSpecWriter} that validates like the real one and records every step, with any other events
 * of the test ({@link #mark}), in one ordered log.
 */
public final class RecordingCdiWriter implements CdiSpecWriter {
  private final CdiCodec codec = new CdiCodec();
  private final List<String> log = new ArrayList<>();
  private final Map<String, CdiSpec> files = new HashMap<>();

  @Override
  public synchronized void write(CdiSpec spec) {
    codec.write(spec, CdiCodec.Format.JSON);
    files.put("main", spec);
    log.add("write " + spec.deviceNames());
  }

  @Override
  public synchronized void writeTransient(CdiSpec spec, String id) {
    codec.write(spec, CdiCodec.Format.JSON);
    files.put(id, spec);
    log.add("writeTransient " + id + " " + spec.deviceNames());
  }

  @Override
  public synchronized boolean remove(Kind kind) {
    log.add("remove " + kind);
    return files.remove("main") != null;
  }

  @Override
  public synchronized boolean removeTransient(Kind kind, String id) {
    log.add("removeTransient " + id);
    return files.remove(id) != null;
  }

  @Override
  public synchronized List<String> transientIds(Kind kind) {
    return files.keySet().stream().filter(id -> !id.equals("main")).sorted().toList();
  }

  /** Records an event of the test (e.g. "response") in the same log. */
  public synchronized void mark(String event) {
    log.add(event);
  }

  public synchronized List<String> log() {
    return List.copyOf(log);
  }

  /** The main spec as last written (empty when none). */
  public synchronized java.util.Optional<CdiSpec> mainSpec() {
    return java.util.Optional.ofNullable(files.get("main"));
  }

  /** Every device name in every spec written so far and still present. */
  public synchronized Set<String> devices() {
    Set<String> out = new TreeSet<>();
    files.values().forEach(s -> out.addAll(s.deviceNames()));
    return out;
  }
}
