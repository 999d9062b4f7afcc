package io.github.volcanovgpu.contract.annotation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One entry of the Ascend runtime-info annotation {@code huawei.com/<CommonWord>} the device plugin reads: a JSON
 * array of {@code {"UUID":…,"temp":…}} (template mode) or {@code {"UUID":…,"memory":MiB,"core":%}} (hami-core), as
 * Volcano v1.16's {@code RuntimeInfo} and HAMi write it (Go field order UUID, temp, memory, core; omitempty).
 *
 * @param template the vNPU template name; empty for hami-core or a whole card
 * @param memoryMib hami-core memory quota; 0 when not given
 * @param corePercent hami-core compute share; 0 when not given
 */
public record AscendRuntimeInfo(String uuid, String template, long memoryMib, int corePercent) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  public AscendRuntimeInfo {
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(template, "template");
  }

  public static String encode(List<AscendRuntimeInfo> infos) {
    if (infos.isEmpty()) {
      return "null"; // Go marshals a nil slice as null, which is what Volcano writes for no devices
    }
    GoJson w = new GoJson(infos.size() * 64).beginArray();
    for (AscendRuntimeInfo i : infos) {
      w.beginObject().field("UUID", i.uuid()).field("temp", i.template()).field("memory", i.memoryMib())
          .field("core", i.corePercent()).endObject();
    }
    return w.endArray().toString();
  }

  /**
   * @throws AnnotationFormatException naming the key and the entry that is malformed
   */
  public static List<AscendRuntimeInfo> decode(String key, String value) {
    JsonNode root;
    try {
      root = MAPPER.readTree(value);
    } catch (JsonProcessingException e) {
      throw new AnnotationFormatException(key + ": not JSON (" + e.getOriginalMessage() + ")");
    }
    if (root == null || root.isNull()) {
      return List.of();
    }
    if (!root.isArray()) {
      throw new AnnotationFormatException(key + ": expected a JSON array, got " + root.getNodeType());
    }
    List<AscendRuntimeInfo> out = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      JsonNode n = root.get(i);
      JsonNode uuid = n.get("UUID");
      if (!n.isObject() || uuid == null || !uuid.isTextual() || uuid.asText().isEmpty()) {
        throw new AnnotationFormatException(key + " entry " + i + ": needs a non-empty \"UUID\"");
      }
      JsonNode temp = n.get("temp");
      JsonNode memory = n.get("memory");
      JsonNode core = n.get("core");
      if ((memory != null && (!memory.isIntegralNumber() || memory.asLong() < 0))
          || (core != null && (!core.isIntegralNumber() || core.asInt() < 0 || core.asInt() > 100))) {
        throw new AnnotationFormatException(key + " entry " + i + ": memory must be MiB >= 0, core 0..100");
      }
      out.add(new AscendRuntimeInfo(uuid.asText(), temp == null || temp.isNull() ? "" : temp.asText(),
          memory == null ? 0 : memory.asLong(), core == null ? 0 : core.asInt()));
    }
    return List.copyOf(out);
  }
}
