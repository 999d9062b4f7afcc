package io.github.volcanovgpu.bridge.explain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.volcanovgpu.bridge.device.RefusalCause;
import io.github.volcanovgpu.bridge.scheduling.Explanation;
import io.github.volcanovgpu.bridge.scheduling.Explanation.DeviceExplanation;
import io.github.volcanovgpu.bridge.scheduling.Explanation.NodeExplanation;
import io.github.volcanovgpu.bridge.scheduling.Explanation.PodExplanation;
import io.github.volcanovgpu.bridge.scheduling.Explanation.Refusal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one JSON shape of an {@link Explanation} (version 1), written by the sidecar's {@code GET /explain} and read
 * by {@code volcano-vgpu explain}. Documented in the README ("Why is my pod pending"); pinned by
 * {@code golden/explain/explanation.json}. Member names:
 *
 * <pre>
 * {"version":1, "subject":"pod ns/name" | "vcjob ns/name",
 *  "pods":[{"pod":"ns/name", "uid":"...", "boundTo":"" , "asksDevices":true,
 *           "podRefusal":null | {"cause":"QUOTA","message":"..."}, "fitsOn":["node"...],
 *           "nodes":[{"node":"n1", "fits":false, "refusal":null | {"cause":"DEVICES_REFUSED","message":"..."},
 *                     "resolvable":true, "kind":"hamivgpu", "container":"c0", "lockedSince":"",
 *                     "devices":[{"index":0, "id":"GPU-...", "type":"NVIDIA-...", "healthy":true,
 *                                 "memoryUsedUnits":0, "memoryTotalUnits":0, "coresUsedPercent":0,
 *                                 "sharesUsed":0, "splitCount":10, "refusal":"INSUFFICIENT_MEMORY",
 *                                 "refusalDescription":"...", "pods":["ns/p"]}],
 *                     "relief":["ns/p"]}]}]}
 * </pre>
 *
 * {@code fitsOn} is derived (written for readers, ignored when read). Unknown members are ignored when read.
 */
public final class ExplanationJson {
  public static final int VERSION = 1;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ExplanationJson() {}

  /** Thrown for a body that is not an explanation of this version; the message names what was wrong. */
  public static final class MalformedExplanationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MalformedExplanationException(String message) {
      super(message);
    }
  }

  public static byte[] write(Explanation e) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("version", VERSION);
    root.put("subject", e.subject());
    ArrayNode pods = root.putArray("pods");
    for (PodExplanation p : e.pods()) {
      ObjectNode o = pods.addObject();
      o.put("pod", p.pod());
      o.put("uid", p.uid());
      o.put("boundTo", p.boundTo());
      o.put("asksDevices", p.asksDevices());
      putRefusal(o, "podRefusal", p.podRefusal());
      ArrayNode fitsOn = o.putArray("fitsOn");
      p.fitsOn().forEach(fitsOn::add);
      ArrayNode nodes = o.putArray("nodes");
      for (NodeExplanation n : p.nodes()) {
        ObjectNode no = nodes.addObject();
        no.put("node", n.node());
        no.put("fits", n.fits());
        putRefusal(no, "refusal", n.refusal());
        no.put("resolvable", n.resolvable());
        no.put("kind", n.kind());
        no.put("container", n.container());
        no.put("lockedSince", n.lockedSince());
        ArrayNode devices = no.putArray("devices");
        for (DeviceExplanation d : n.devices()) {
          ObjectNode dn = devices.addObject();
          dn.put("index", d.index());
          dn.put("id", d.id());
          dn.put("type", d.type());
          dn.put("healthy", d.healthy());
          dn.put("memoryUsedUnits", d.memoryUsedUnits());
          dn.put("memoryTotalUnits", d.memoryTotalUnits());
          dn.put("coresUsedPercent", d.coresUsedPercent());
          dn.put("sharesUsed", d.sharesUsed());
          dn.put("splitCount", d.splitCount());
          dn.put("refusal", d.refusal());
          dn.put("refusalDescription", d.refusalDescription());
          ArrayNode dp = dn.putArray("pods");
          d.pods().forEach(dp::add);
        }
        ArrayNode relief = no.putArray("relief");
        n.relief().forEach(relief::add);
      }
    }
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot write an explanation", ex); // a tree of strings always writes
    }
  }

  private static void putRefusal(ObjectNode o, String name, Optional<Refusal> r) {
    if (r.isEmpty()) {
      o.putNull(name);
      return;
    }
    ObjectNode rn = o.putObject(name);
    rn.put("cause", r.get().cause().name());
    rn.put("message", r.get().message());
  }

  /**
   * Reads an explanation.
   *
   * @throws MalformedExplanationException when the body is not JSON or not this shape
   */
  public static Explanation read(byte[] body) {
    try {
      return readChecked(body);
    } catch (IllegalArgumentException e) {
      throw new MalformedExplanationException(e.getMessage());
    }
  }

  private static Explanation readChecked(byte[] body) {
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw new MalformedExplanationException("not JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new MalformedExplanationException("not JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new MalformedExplanationException("not a JSON object");
    }
    int version = root.path("version").asInt(-1);
    if (version != VERSION) {
      throw new MalformedExplanationException("version " + root.path("version") + ", this reader knows "
          + VERSION);
    }
    List<PodExplanation> pods = new ArrayList<>();
    for (JsonNode p : array(root, "pods", "explanation")) {
      List<NodeExplanation> nodes = new ArrayList<>();
      String pod = text(p, "pod", "pod");
      for (JsonNode n : array(p, "nodes", pod)) {
        String where = pod + " node " + text(n, "node", pod);
        List<DeviceExplanation> devices = new ArrayList<>();
        for (JsonNode d : array(n, "devices", where)) {
          devices.add(new DeviceExplanation(d.path("index").asInt(), text(d, "id", where), text(d, "type", where),
              d.path("healthy").asBoolean(), d.path("memoryUsedUnits").asLong(), d.path("memoryTotalUnits")
                  .asLong(),
              d.path("coresUsedPercent").asInt(), d.path("sharesUsed").asInt(),
              d.path("splitCount").asInt(), text(d, "refusal", where), text(d, "refusalDescription", where),
              strings(d, "pods", where)));
        }
        nodes.add(new NodeExplanation(text(n, "node", where), n.path("fits").asBoolean(),
            refusal(n.path("refusal"), where), n.path("resolvable").asBoolean(), text(n, "kind", where),
            text(n, "container", where), text(n, "lockedSince", where), devices, strings(n, "relief", where)));
      }
      pods.add(new PodExplanation(pod, text(p, "uid", pod), text(p, "boundTo", pod),
          p.path("asksDevices").asBoolean(), refusal(p.path("podRefusal"), pod), nodes));
    }
    return new Explanation(text(root, "subject", "explanation"), pods);
  }

  private static Optional<Refusal> refusal(JsonNode r, String where) {
    if (r.isMissingNode() || r.isNull()) {
      return Optional.empty();
    }
    String cause = text(r, "cause", where);
    try {
      return Optional.of(new Refusal(RefusalCause.valueOf(cause), text(r, "message", where)));
    } catch (IllegalArgumentException e) {
      throw new MalformedExplanationException(where + ": unknown refusal cause " + cause);
    }
  }

  private static Iterable<JsonNode> array(JsonNode o, String name, String where) {
    JsonNode a = o.path(name);
    if (!a.isArray()) {
      throw new MalformedExplanationException(where + ": \"" + name + "\" must be an array");
    }
    return a;
  }

  private static List<String> strings(JsonNode o, String name, String where) {
    List<String> out = new ArrayList<>();
    for (JsonNode s : array(o, name, where)) {
      out.add(s.asText());
    }
    return out;
  }

  private static String text(JsonNode o, String name, String where) {
    JsonNode v = o.path(name);
    if (!v.isTextual()) {
      throw new MalformedExplanationException(where + ": \"" + name + "\" must be a string");
    }
    return v.asText();
  }

  /** {@link #write} as a string. */
  public static String writeString(Explanation e) {
    return new String(write(e), StandardCharsets.UTF_8);
  }
}
