package io.github.volcanovgpu.contract.annotation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Codec of HAMi's JSON node registration (since HAMi v2.8; Volcano v1.16 reads it with {@code UnMarshalNodeDevices}):
 * an array of {@link HamiDeviceInfo} objects with the keys {@code id, index, count, devmem, devcore, type, numa,
 * mode, health, devicevendor, custominfo, devicepairscore}. Written as Go's {@code encoding/json} writes HAMi's
 * {@code DeviceInfo} (declaration order, {@code omitempty}, and {@code "devicepairscore":{}} always, since Go never
 * omits a struct); read leniently (unknown keys ignored, absent keys are Go's zero values) but every present key
 * must have its type.
 */
public final class HamiDeviceInfoCodec {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private HamiDeviceInfoCodec() {}

  public static String encode(List<HamiDeviceInfo> devices) {
    GoJson w = new GoJson(devices.size() * 160).beginArray();
    for (HamiDeviceInfo d : devices) {
      w.beginObject()
          .field("id", d.id())
          .field("index", d.index())
          .field("count", d.count())
          .field("devmem", d.devmem())
          .field("devcore", d.devcore())
          .field("type", d.type())
          .field("numa", d.numa())
          .field("mode", d.mode())
          .field("health", d.health())
          .field("devicevendor", d.deviceVendor())
          .field("custominfo", d.customInfo())
          .name("devicepairscore").beginObject().endObject()
          .endObject();
    }
    return w.endArray().toString();
  }

  /**
   * Decodes a registration annotation.
   *
   * @param key the annotation key, named in errors
   * @throws AnnotationFormatException naming the key, the device and the field that is malformed
   */
  public static List<HamiDeviceInfo> decode(String key, String value) {
    JsonNode root;
    try {
      root = MAPPER.readTree(value);
    } catch (JsonProcessingException e) {
      throw new AnnotationFormatException(key + ": not JSON (" + e.getOriginalMessage() + ") in \""
          + NodeRegistrationCodec.abbreviate(value) + "\"");
    }
    if (root == null || !root.isArray()) {
      throw new AnnotationFormatException(key + ": expected a JSON array of devices, got \""
          + NodeRegistrationCodec.abbreviate(value) + "\"");
    }
    if (root.isEmpty()) {
      throw new AnnotationFormatException(key + ": no devices registered");
    }
    List<HamiDeviceInfo> out = new ArrayList<>(root.size());
    for (int i = 0; i < root.size(); i++) {
      JsonNode d = root.get(i);
      String where = key + " device " + i;
      if (!d.isObject()) {
        throw new AnnotationFormatException(where + ": not a JSON object");
      }
      String id = text(d, "id", where);
      if (id.isBlank()) {
        throw new AnnotationFormatException(where + ": empty id");
      }
      out.add(new HamiDeviceInfo(id, (int) whole(d, "index", where, Integer.MAX_VALUE),
          (int) whole(d, "count", where, Integer.MAX_VALUE), whole(d, "devmem", where, Integer.MAX_VALUE),
          (int) whole(d, "devcore", where, Integer.MAX_VALUE), text(d, "type", where),
          (int) whole(d, "numa", where, Integer.MAX_VALUE), text(d, "mode", where), bool(d, "health", where),
          text(d, "devicevendor", where), custom(d, where)));
    }
    return List.copyOf(out);
  }

  private static String text(JsonNode d, String field, String where) {
    JsonNode v = d.get(field);
    if (v == null || v.isNull()) {
      return "";
    }
    if (!v.isTextual()) {
      throw new AnnotationFormatException(where + ": " + field + " must be a string, got " + v);
    }
    return v.asText();
  }

  private static long whole(JsonNode d, String field, String where, long max) {
    JsonNode v = d.get(field);
    if (v == null || v.isNull()) {
      return 0;
    }
    if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() > max) {
      throw new AnnotationFormatException(where + ": " + field + " must be a whole number within 0.." + max
          + ", got " + v);
    }
    return v.asLong();
  }

  private static boolean bool(JsonNode d, String field, String where) {
    JsonNode v = d.get(field);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw new AnnotationFormatException(where + ": " + field + " must be true or false, got " + v);
    }
    return v.asBoolean();
  }

  private static Map<String, Object> custom(JsonNode d, String where) {
    JsonNode v = d.get("custominfo");
    if (v == null || v.isNull()) {
      return Map.of();
    }
    if (!v.isObject()) {
      throw new AnnotationFormatException(where + ": custominfo must be a JSON object, got " + v);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode x = e.getValue();
      if (x.isIntegralNumber()) {
        out.put(e.getKey(), x.asLong());
      } else if (x.isNumber()) {
        out.put(e.getKey(), x.asDouble());
      } else if (x.isBoolean()) {
        out.put(e.getKey(), x.asBoolean());
      } else if (x.isTextual()) {
        out.put(e.getKey(), x.asText());
      } // nested values carry nothing the kinds read; they are dropped
    }
    return out;
  }
}
