package io.github.volcanovgpu.mig.layout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads and writes mig-parted config files ({@code api/spec/v1/spec.go}) with mig-parted's validation rules and
 * error wording; each message is prefixed with where in the file the problem is.
 */
public final class MigConfigCodec {
  /** {@code [<c>c.]<g>g.<mem>gb[+me|+me.all|+gfx|-me]...}, mig-parted's profile name shape. */
  private static final Pattern PROFILE =
      Pattern.compile("(\\d+c\\.)?\\d+g\\.\\d+gb(\\+me\\.all|\\+me|\\+gfx|-me)*");

  private final YAMLMapper yaml;

  public MigConfigCodec() {
    this.yaml = YAMLMapper.builder(YAMLFactory.builder()
        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
        .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
        .build())
        .build();
  }

  /** True when {@code name} has the shape of a MIG profile name. */
  public static boolean validProfileName(String name) {
    return PROFILE.matcher(name).matches();
  }

  /** Parses a config file; an empty document is an empty spec, as in mig-parted. */
  public MigConfigSpec parse(String text) {
    JsonNode root;
    try {
      root = yaml.readTree(text);
    } catch (JsonProcessingException e) {
      throw new MigConfigException("not valid YAML: " + e.getOriginalMessage());
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return new MigConfigSpec(MigConfigSpec.VERSION, Map.of());
    }
    if (!root.isObject()) {
      throw new MigConfigException("the config must be a mapping with 'version' and 'mig-configs'");
    }
    if (!root.has("version")) {
      throw new MigConfigException("unable to parse with missing 'version' field");
    }
    JsonNode v = root.get("version");
    String version = v.isTextual() ? v.asText() : v.toString();
    if (!MigConfigSpec.VERSION.equals(version)) {
      throw new MigConfigException("unknown version: " + version);
    }
    Map<String, List<MigConfigEntry>> configs = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> f = it.next();
      switch (f.getKey()) {
        case "version" -> {}
        case "mig-configs" -> configs = configs(f.getValue());
        default -> throw new MigConfigException("unexpected field: " + f.getKey());
      }
    }
    return new MigConfigSpec(version, configs);
  }

  private static Map<String, List<MigConfigEntry>> configs(JsonNode node) {
    if (!node.isObject()) {
      throw new MigConfigException("'mig-configs' must be a mapping of config name to a list of entries");
    }
    if (node.isEmpty()) {
      throw new MigConfigException("at least one entry in 'mig-configs' is required");
    }
    Map<String, List<MigConfigEntry>> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> c = it.next();
      JsonNode list = c.getValue();
      if (list == null || list.isNull() || (list.isArray() && list.isEmpty())) {
        throw new MigConfigException("at least one entry in '" + c.getKey() + "' is required");
      }
      if (!list.isArray()) {
        throw new MigConfigException("mig-configs." + c.getKey() + ": must be a list of entries");
      }
      List<MigConfigEntry> entries = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        String where = "mig-configs." + c.getKey() + "[" + i + "]: ";
        try {
          entries.add(entry(list.get(i)));
        } catch (MigConfigException e) {
          throw new MigConfigException(where + e.getMessage());
        }
      }
      out.put(c.getKey(), entries);
    }
    return out;
  }

  private static MigConfigEntry entry(JsonNode node) {
    if (!node.isObject()) {
      throw new MigConfigException("an entry must be a mapping");
    }
    for (String required : List.of("devices", "mig-enabled")) {
      if (!node.has(required)) {
        throw new MigConfigException("missing required field: " + required);
      }
    }
    DeviceSelector devices = DeviceSelector.ALL;
    boolean enabled = false;
    Map<String, Integer> migDevices = null;
    List<String> filter = List.of();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> f = it.next();
      JsonNode v = f.getValue();
      switch (f.getKey()) {
        case "device-filter" -> filter = deviceFilter(v);
        case "devices" -> devices = devices(v);
        case "mig-enabled" -> {
          if (!v.isBoolean()) {
            throw new MigConfigException("'mig-enabled' must be true or false, got " + v);
          }
          enabled = v.booleanValue();
        }
        case "mig-devices" -> migDevices = migDevices(v);
        default -> throw new MigConfigException("unexpected field: " + f.getKey());
      }
    }
    if (enabled && migDevices == null) {
      throw new MigConfigException("missing required field 'mig-devices' when 'mig-enabled' is true");
    }
    return new MigConfigEntry(devices, enabled, migDevices == null ? Map.of() : migDevices, filter);
  }

  private static List<String> deviceFilter(JsonNode v) {
    if (v.isTextual()) {
      return List.of(v.asText());
    }
    if (v.isArray()) {
      List<String> out = new ArrayList<>();
      for (JsonNode e : v) {
        if (!e.isTextual()) {
          throw new MigConfigException("'device-filter' must be a string or a list of strings, got " + v);
        }
        out.add(e.asText());
      }
      return out;
    }
    throw new MigConfigException("'device-filter' must be a string or a list of strings, got " + v);
  }

  private static DeviceSelector devices(JsonNode v) {
    if (v.isTextual()) {
      if (!"all".equals(v.asText())) {
        throw new MigConfigException("invalid string input for 'devices': " + v.asText());
      }
      return DeviceSelector.ALL;
    }
    if (v.isArray()) {
      List<Integer> out = new ArrayList<>();
      for (JsonNode e : v) {
        if (!e.isInt() || e.intValue() < 0) {
          throw new MigConfigException("'devices' must be \"all\" or a list of GPU indices, got " + v);
        }
        out.add(e.intValue());
      }
      return DeviceSelector.of(out);
    }
    throw new MigConfigException("'devices' must be \"all\" or a list of GPU indices, got " + v);
  }

  private static Map<String, Integer> migDevices(JsonNode v) {
    if (v.isNull()) {
      return new LinkedHashMap<>();
    }
    if (!v.isObject()) {
      throw new MigConfigException("'mig-devices' must be a mapping of MIG profile to count, got " + v);
    }
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> f = it.next();
      if (!validProfileName(f.getKey())) {
        throw new MigConfigException("error validating values in 'mig-devices' field: invalid format for '"
            + f.getKey() + "': expected [<c>c.]<g>g.<mem>gb[+me]");
      }
      JsonNode count = f.getValue();
      if (!count.isInt() || count.intValue() < 0) {
        throw new MigConfigException("error validating values in 'mig-devices' field: invalid count for '"
            + f.getKey() + "': " + count);
      }
      out.put(f.getKey(), count.intValue());
    }
    return out;
  }

  /** Writes a spec in mig-parted's layout (block style, {@code devices} as a flow list). */
  public String write(MigConfigSpec spec) {
    ObjectNode root = yaml.createObjectNode();
    root.put("version", spec.version());
    ObjectNode configs = root.putObject("mig-configs");
    spec.configs().forEach((name, entries) -> {
      ArrayNode list = configs.putArray(name);
      for (MigConfigEntry e : entries) {
        ObjectNode o = list.addObject();
        if (e.deviceFilter().size() == 1) {
          o.put("device-filter", e.deviceFilter().get(0));
        } else if (!e.deviceFilter().isEmpty()) {
          ArrayNode f = o.putArray("device-filter");
          e.deviceFilter().forEach(f::add);
        }
        if (e.devices().all()) {
          o.put("devices", "all");
        } else {
          ArrayNode d = o.putArray("devices");
          e.devices().indices().forEach(d::add);
        }
        o.put("mig-enabled", e.migEnabled());
        if (e.migEnabled()) {
          ObjectNode m = o.putObject("mig-devices");
          e.migDevices().forEach(m::put);
        }
      }
    });
    try {
      return yaml.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a MIG config", e);
    }
  }
}
