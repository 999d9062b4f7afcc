package io.github.volcanovgpu.plugin.vendor.nvidia.gpu;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.github.volcanovgpu.plugin.device.DiscoveryException;
import io.github.volcanovgpu.plugin.device.HealthEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A GPU backend without hardware (CLI {@code --fake-gpus FILE|N}): cards described by a YAML file or N identical
 * A100 80 GB cards; health events are injected by {@link #injectXid} and {@link #recover}.
 *
 * <p>YAML shape: {@code gpus: [{uuid, model, memoryMib, minor, numa, migCapable}]} ({@code numa} defaults to -1,
 * {@code migCapable} to false).
 */
public final class FakeGpuBackend implements GpuBackend {
  static final String DEFAULT_MODEL = "NVIDIA A100-SXM4-80GB";
  static final long DEFAULT_MEMORY_MIB = 81920;

  private final List<PhysicalGpu> gpus;
  private final Clock clock;
  private final List<Consumer<HealthEvent>> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, CardUsage> usage = new ConcurrentHashMap<>();
  private volatile boolean closed;

  FakeGpuBackend(List<PhysicalGpu> gpus, Clock clock) {
    this.gpus = List.copyOf(gpus);
    this.clock = clock;
  }

  /** {@code count} cards "NVIDIA A100-SXM4-80GB", 81920 MiB, minors 0.., UUIDs derived from the index. */
  public static FakeGpuBackend ofCount(int count) {
    if (count < 1 || count > 1024) {
      throw new DiscoveryException("fake GPU count must be between 1 and 1024, got " + count);
    }
    List<PhysicalGpu> gpus = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      gpus.add(new PhysicalGpu(fakeUuid(i), i, DEFAULT_MODEL, DEFAULT_MEMORY_MIB, -1, true));
    }
    return new FakeGpuBackend(gpus, Clock.systemUTC());
  }

  /** The CLI's {@code --fake-gpus} value: a positive integer is a count, anything else a YAML file path. */
  public static FakeGpuBackend fromArgument(String argument) {
    if (argument.matches("\\d{1,9}")) {
      return ofCount(Integer.parseInt(argument));
    }
    return fromFile(Path.of(argument));
  }

  public static FakeGpuBackend fromFile(Path file) {
    String yaml;
    try {
      yaml = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new DiscoveryException("cannot read fake GPU file " + file + ": " + e.getMessage(), e);
    }
    return fromYaml(yaml, file.toString());
  }

  /** @param source named in error messages (file name) */
  public static FakeGpuBackend fromYaml(String yaml, String source) {
    FakeFile parsed;
    try {
      ObjectMapper mapper = new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
      parsed = mapper.readValue(yaml, FakeFile.class);
    } catch (UnrecognizedPropertyException e) {
      throw new DiscoveryException(source + ": unknown key \"" + e.getPropertyName()
          + "\" (allowed: gpus; per GPU: uuid, model, memoryMib, minor, numa, migCapable)", e);
    } catch (JsonProcessingException e) {
      throw new DiscoveryException(source + ": not a valid fake GPU file: " + e.getOriginalMessage(), e);
    }
    if (parsed == null || parsed.gpus == null || parsed.gpus.isEmpty()) {
      throw new DiscoveryException(source + ": \"gpus\" must list at least one GPU");
    }
    List<PhysicalGpu> gpus = new ArrayList<>();
    Set<String> uuids = new HashSet<>();
    Set<Integer> minors = new HashSet<>();
    for (int i = 0; i < parsed.gpus.size(); i++) {
      FakeGpu g = parsed.gpus.get(i);
      String where = source + ": gpus[" + i + "]";
      if (g == null) {
        throw new DiscoveryException(where + " is empty");
      }
      if (g.uuid == null || g.uuid.isBlank()) {
        throw new DiscoveryException(where + ": \"uuid\" is required");
      }
      if (g.memoryMib == null || g.memoryMib <= 0) {
        throw new DiscoveryException(where + " (" + g.uuid + "): \"memoryMib\" must be > 0, got " + g.memoryMib);
      }
      int minor = g.minor == null ? i : g.minor;
      PhysicalGpu gpu;
      try {
        gpu = new PhysicalGpu(g.uuid, minor, g.model == null ? DEFAULT_MODEL : g.model, g.memoryMib,
            g.numa == null ? -1 : g.numa, g.migCapable != null && g.migCapable);
      } catch (IllegalArgumentException e) {
        throw new DiscoveryException(where + ": " + e.getMessage(), e);
      }
      if (!uuids.add(gpu.uuid())) {
        throw new DiscoveryException(where + ": duplicate uuid " + gpu.uuid());
      }
      if (!minors.add(minor)) {
        throw new DiscoveryException(where + " (" + gpu.uuid() + "): duplicate minor " + minor);
      }
      gpus.add(gpu);
    }
    return new FakeGpuBackend(gpus, Clock.systemUTC());
  }

  static String fakeUuid(int index) {
    return "GPU-" + UUID.nameUUIDFromBytes(("volcano-vgpu-fake-gpu-" + index).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public List<PhysicalGpu> discover() {
    return gpus;
  }

  /** What {@link #setUsage} set per card, idle for the others. */
  @Override
  public List<CardUsage> usage() {
    return gpus.stream().map(g -> usage.getOrDefault(g.uuid(), CardUsage.idle(g.uuid()))).toList();
  }

  /** Sets what card {@code u.uuid()} reports from now on (a test plays the driver). */
  public void setUsage(CardUsage u) {
    usage.put(known(u.uuid()), u);
  }

  @Override
  public void watchHealth(Consumer<HealthEvent> listener) {
    if (!listeners.contains(listener)) {
      listeners.add(listener);
    }
  }

  /** Delivers an XID error on {@code uuid} to the listeners (synchronously, on the caller's thread). */
  public void injectXid(String uuid, long xid) {
    if (xid <= 0) {
      throw new IllegalArgumentException("xid must be > 0, got " + xid + " (use recover() for recovery)");
    }
    deliver(new HealthEvent(known(uuid), xid, "injected XID " + xid, clock.instant()));
  }

  /** Delivers a "recovered" event for {@code uuid}. */
  public void recover(String uuid) {
    deliver(new HealthEvent(known(uuid), 0, "recovered", clock.instant()));
  }

  private String known(String uuid) {
    if (gpus.stream().noneMatch(g -> g.uuid().equals(uuid))) {
      throw new IllegalArgumentException("unknown fake GPU uuid " + uuid);
    }
    return uuid;
  }

  private void deliver(HealthEvent event) {
    if (closed) {
      return;
    }
    for (Consumer<HealthEvent> l : listeners) {
      l.accept(event);
    }
  }

  @Override
  public void close() {
    closed = true;
    listeners.clear();
  }

  static final class FakeFile {
    @JsonProperty("gpus")
    @Nullable
    List<FakeGpu> gpus;
  }

  static final class FakeGpu {
    @JsonProperty("uuid")
    @Nullable
    String uuid;
    @JsonProperty("model")
    @Nullable
    String model;
    @JsonProperty("memoryMib")
    @Nullable
    Long memoryMib;
    @JsonProperty("minor")
    @Nullable
    Integer minor;
    @JsonProperty("numa")
    @Nullable
    Integer numa;
    @JsonProperty("migCapable")
    @Nullable
    Boolean migCapable;
  }
}
