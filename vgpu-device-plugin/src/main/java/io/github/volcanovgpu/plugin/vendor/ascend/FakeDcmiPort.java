package io.github.volcanovgpu.plugin.vendor.ascend;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.github.volcanovgpu.plugin.device.DiscoveryException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * An Ascend machine without hardware ({@code --fake-npus FILE|FIXTURE}): NPUs described by a YAML file or one of
 * the built-in whole-machine fixtures {@link #FIXTURES}; health words are injected with {@link #setHealth}.
 *
 * <p>YAML shape: top-level defaults {@code chipName}, {@code memoryMib}, {@code aiCore}, then
 * {@code npus: [{phyId, id, logicId, cardId, deviceId, chipName, memoryMib, aiCore, networkId, moduleId, numa,
 * health}]}; only {@code phyId} is required. Defaults: id {@code <node>-npu-<phyId>}, logicId = position, cardId =
 * phyId, deviceId 0, networkId/moduleId/numa unknown (-1), health 0.
 */
public final class FakeDcmiPort implements AscendDcmiPort {
  /**
   * The built-in machines: {@code 910B3x8} (Atlas 800T A2, two network groups), {@code 910Cx16} (a SuperPod node:
   * 16 Ascend910 dies in 8 modules), {@code 310P3x4} (inference, no topology).
   */
  public static final List<String> FIXTURES = List.of("910B3x8", "910Cx16", "310P3x4");

  private final List<Npu> npus;
  private final Map<String, Integer> health = new ConcurrentHashMap<>();

  private FakeDcmiPort(List<Npu> npus, Map<String, Integer> health) {
    this.npus = List.copyOf(npus);
    this.health.putAll(health);
  }

  /** The CLI's {@code --fake-npus} value: a built-in fixture name, else a YAML file. */
  public static FakeDcmiPort fromArgument(String argument, String nodeName) {
    if (FIXTURES.contains(argument)) {
      return fixture(argument, nodeName);
    }
    Path file = Path.of(argument);
    if (!Files.exists(file)) {
      throw new DiscoveryException("--fake-npus: \"" + argument + "\" is neither a built-in fixture ("
          + String.join(", ", FIXTURES) + ") nor an existing file");
    }
    try {
      return fromYaml(Files.readString(file, StandardCharsets.UTF_8), file.toString(), nodeName);
    } catch (IOException e) {
      throw new DiscoveryException("cannot read fake NPU file " + file + ": " + e.getMessage(), e);
    }
  }

  /** A built-in machine of {@link #FIXTURES}. */
  public static FakeDcmiPort fixture(String name, String nodeName) {
    try (InputStream in = FakeDcmiPort.class.getResourceAsStream("fixtures/" + name + ".yaml")) {
      if (in == null || !FIXTURES.contains(name)) {
        throw new DiscoveryException("unknown NPU fixture \"" + name + "\" (known: " + String.join(", ", FIXTURES)
            + ")");
      }
      return fromYaml(new String(in.readAllBytes(), StandardCharsets.UTF_8), "fixture " + name, nodeName);
    } catch (IOException e) {
      throw new DiscoveryException("cannot read NPU fixture " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * @param source named in error messages (file name)
   * @param nodeName the node, for default NPU ids ({@code <node>-npu-<phyId>})
   */
  public static FakeDcmiPort fromYaml(String yaml, String source, String nodeName) {
    FakeFile parsed;
    try {
      parsed = new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .readValue(yaml, FakeFile.class);
    } catch (UnrecognizedPropertyException e) {
      throw new DiscoveryException(source + ": unknown key \"" + e.getPropertyName() + "\" (allowed: chipName, "
          + "memoryMib, aiCore, npus; per NPU: phyId, id, logicId, cardId, deviceId, chipName, memoryMib, aiCore, "
          + "networkId, moduleId, numa, health)", e);
    } catch (JsonProcessingException e) {
      throw new DiscoveryException(source + ": not a valid fake NPU file: " + e.getOriginalMessage(), e);
    }
    if (parsed == null || parsed.npus == null || parsed.npus.isEmpty()) {
      throw new DiscoveryException(source + ": \"npus\" must list at least one NPU");
    }
    List<Npu> out = new ArrayList<>();
    Map<String, Integer> health = new java.util.HashMap<>();
    Set<String> ids = new HashSet<>();
    Set<Integer> phyIds = new HashSet<>();
    for (int i = 0; i < parsed.npus.size(); i++) {
      FakeNpu n = parsed.npus.get(i);
      String where = source + ": npus[" + i + "]";
      if (n == null || n.phyId == null || n.phyId < 0) {
        throw new DiscoveryException(where + ": \"phyId\" (>= 0) is required");
      }
      String chip = n.chipName != null ? n.chipName : parsed.chipName;
      if (chip == null || chip.isBlank()) {
        throw new DiscoveryException(where + ": \"chipName\" is required (per NPU or at the top)");
      }
      Npu npu;
      try {
        npu = new Npu(n.id != null ? n.id : nodeName + "-npu-" + n.phyId, n.phyId, n.logicId != null ? n.logicId : i,
            n.cardId != null ? n.cardId : n.phyId, n.deviceId != null ? n.deviceId : 0, chip,
            n.memoryMib != null ? n.memoryMib : parsed.memoryMib != null ? parsed.memoryMib : 0,
            n.aiCore != null ? n.aiCore : parsed.aiCore != null ? parsed.aiCore : 0,
            n.networkId != null ? n.networkId : -1, n.moduleId != null ? n.moduleId : -1, n.numa != null ? n.numa : -1);
      } catch (IllegalArgumentException e) {
        throw new DiscoveryException(where + ": " + e.getMessage(), e);
      }
      if (!ids.add(npu.uuid())) {
        throw new DiscoveryException(where + ": duplicate id " + npu.uuid());
      }
      if (!phyIds.add(npu.phyId())) {
        throw new DiscoveryException(where + ": duplicate phyId " + npu.phyId());
      }
      out.add(npu);
      health.put(npu.uuid(), n.health == null ? HEALTHY : n.health);
    }
    return new FakeDcmiPort(out, health);
  }

  @Override
  public List<Npu> npus() {
    return npus;
  }

  @Override
  public int health(Npu npu) {
    Integer h = health.get(npu.uuid());
    if (h == null) {
      throw new DiscoveryException("fake NPU " + npu.uuid() + " is not on this machine");
    }
    return h;
  }

  /** Sets the health word DCMI would report for the NPU ({@link #HEALTHY}, 1..3, {@link #ABSENT}). */
  public void setHealth(String uuid, int word) {
    if (!health.containsKey(uuid)) {
      throw new IllegalArgumentException("unknown fake NPU " + uuid);
    }
    health.put(uuid, word);
  }

  @Override
  public void close() {
    // nothing held
  }

  static final class FakeFile {
    @JsonProperty("chipName")
    @Nullable
    String chipName;
    @JsonProperty("memoryMib")
    @Nullable
    Long memoryMib;
    @JsonProperty("aiCore")
    @Nullable
    Integer aiCore;
    @JsonProperty("npus")
    @Nullable
    List<FakeNpu> npus;
  }

  static final class FakeNpu {
    @JsonProperty("phyId")
    @Nullable
    Integer phyId;
    @JsonProperty("id")
    @Nullable
    String id;
    @JsonProperty("logicId")
    @Nullable
    Integer logicId;
    @JsonProperty("cardId")
    @Nullable
    Integer cardId;
    @JsonProperty("deviceId")
    @Nullable
    Integer deviceId;
    @JsonProperty("chipName")
    @Nullable
    String chipName;
    @JsonProperty("memoryMib")
    @Nullable
    Long memoryMib;
    @JsonProperty("aiCore")
    @Nullable
    Integer aiCore;
    @JsonProperty("networkId")
    @Nullable
    Integer networkId;
    @JsonProperty("moduleId")
    @Nullable
    Integer moduleId;
    @JsonProperty("numa")
    @Nullable
    Integer numa;
    @JsonProperty("health")
    @Nullable
    Integer health;
  }
}
