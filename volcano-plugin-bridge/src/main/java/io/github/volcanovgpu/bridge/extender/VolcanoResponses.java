package io.github.volcanovgpu.bridge.extender;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The one definition of the extender's answers, both ways: what the sidecar writes and how Volcano's scheduler reads
 * it. The shapes are Volcano's response structs ({@code pkg/scheduler/plugins/extender/argument.go}):
 *
 * <ul>
 *   <li>{@code PredicateResponse{ErrorMessage string `json:"status"`; Code int `json:"code"`}};
 *   <li>{@code PrioritizeResponse{NodeScore map[string]float64 `json:"nodeScore"`; ErrorMessage string
 *       `json:"errorMessage"`}};
 *   <li>{@code EventHandlerResponse{ErrorMessage string `json:"errorMessage"`}} (allocateFunc, deallocateFunc);
 *   <li>{@code PreemptableResponse{Status int `json:"status"`; Victims []*api.TaskInfo `json:"victims"`}} and
 *       {@code ReclaimableResponse} (the same shape);
 *   <li>{@code OnSessionOpenResponse{}} and {@code OnSessionCloseResponse{}}: {@code {}}.
 * </ul>
 *
 * <p>Writing: compact JSON, members in struct order, a prioritize answer never has a null {@code nodeScore}. A body
 * the sidecar refuses (HTTP 400) is {@code {"error": "<why>"}}, which Volcano does not decode (it fails on the
 * status). The bytes of every shape are pinned by the goldens in {@code src/test/resources/golden/volcano/}.
 *
 * <p>Reading (the simulator and tests playing Volcano): as Go's {@code encoding/json} decodes into those structs:
 * keys matched case-insensitively, unknown keys ignored, an empty body is an error (Go's {@code EOF}), integer
 * fields must be JSON integers ({@code 2}, not {@code 2.0}), and bodies over 10 MiB are refused. Thread-safe.
 */
public final class VolcanoResponses {
  /** Volcano's cap on a response body ({@code maxBodySize = 10 << 20}). */
  public static final int MAX_BODY_BYTES = 10 << 20;

  private static final String STATUS = "status";
  private static final String CODE = "code";
  private static final String NODE_SCORE = "nodeScore";
  private static final String ERROR_MESSAGE = "errorMessage";
  private static final String VICTIMS = "victims";
  /** A victim's TaskInfo member read back (Volcano intersects victims by it). */
  private static final String TASK_UID = "UID";
  /** Our own 400 body; not one of Volcano's structs. */
  private static final String ERROR = "error";

  private static final JsonFactory JSON = new JsonFactory();
  private static final byte[] EMPTY_OBJECT = "{}".getBytes(StandardCharsets.UTF_8);

  private VolcanoResponses() {}

  // ------------------------------------------------------------------------------------------------ writing

  /** {@code {"status":"<reason>","code":<code>}}. */
  public static byte[] write(PredicateResponse r) {
    return write(g -> {
      g.writeStartObject();
      g.writeStringField(STATUS, r.status());
      g.writeNumberField(CODE, r.code());
      g.writeEndObject();
    });
  }

  /** {@code {"nodeScore":{"<node>":<score>...},"errorMessage":"<error>"}}; a null map is written as {@code {}}. */
  public static byte[] write(PrioritizeResponse r) {
    return write(g -> {
      g.writeStartObject();
      g.writeObjectFieldStart(NODE_SCORE);
      if (r.nodeScore() != null) {
        for (Map.Entry<String, Double> e : r.nodeScore().entrySet()) {
          g.writeNumberField(e.getKey(), e.getValue());
        }
      }
      g.writeEndObject();
      g.writeStringField(ERROR_MESSAGE, r.errorMessage());
      g.writeEndObject();
    });
  }

  /** allocateFunc / deallocateFunc: {@code {"errorMessage":"<error>"}}. */
  public static byte[] write(EventResponse r) {
    return write(g -> {
      g.writeStartObject();
      g.writeStringField(ERROR_MESSAGE, r.errorMessage());
      g.writeEndObject();
    });
  }

  /** preemptable / reclaimable: {@code {"status":<int>,"victims":[<TaskInfo>...]}}, victims written verbatim. */
  public static byte[] write(EvictionResponse r) {
    return write(g -> {
      g.writeStartObject();
      g.writeNumberField(STATUS, r.status());
      g.writeArrayFieldStart(VICTIMS);
      for (String victim : r.victims()) {
        g.writeRawValue(victim);
      }
      g.writeEndArray();
      g.writeEndObject();
    });
  }

  /** onSessionOpen / onSessionClose: {@code {}} (a fresh array: callers may not share it). */
  public static byte[] sessionAnswer() {
    return EMPTY_OBJECT.clone();
  }

  /** The body of an HTTP 400 answer to a request the sidecar cannot read: {@code {"error":"<message>"}}. */
  public static byte[] badRequest(String message) {
    return write(g -> {
      g.writeStartObject();
      g.writeStringField(ERROR, message);
      g.writeEndObject();
    });
  }

  @FunctionalInterface
  private interface JsonWriting {
    void write(JsonGenerator g) throws IOException;
  }

  private static byte[] write(JsonWriting writing) {
    ByteArrayBuilder out = new ByteArrayBuilder(128);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      writing.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  // ------------------------------------------------------------------------------------------------ reading

  /** Reads a predicate answer as Volcano does. */
  public static PredicateResponse predicate(byte[] body) {
    String[] status = {""};
    int[] code = {0};
    readStruct(body, "PredicateResponse", (f, p, t) -> {
      if (f.equalsIgnoreCase(STATUS)) {
        status[0] = string(p, t, "PredicateResponse.status");
      } else if (f.equalsIgnoreCase(CODE)) {
        code[0] = integer(p, t, "PredicateResponse.code");
      } else {
        p.skipChildren();
      }
    });
    return new PredicateResponse(status[0], code[0]);
  }

  /** Reads a prioritize answer as Volcano does. */
  public static PrioritizeResponse prioritize(byte[] body) {
    AtomicReference<@Nullable Map<String, Double>> scores = new AtomicReference<>();
    String[] error = {""};
    readStruct(body, "PrioritizeResponse", (f, p, t) -> {
      if (f.equalsIgnoreCase(NODE_SCORE)) {
        scores.set(scores(p, t));
      } else if (f.equalsIgnoreCase(ERROR_MESSAGE)) {
        error[0] = string(p, t, "PrioritizeResponse.errorMessage");
      } else {
        p.skipChildren();
      }
    });
    return new PrioritizeResponse(scores.get(), error[0]);
  }

  /** Reads an allocateFunc / deallocateFunc answer as Volcano does. */
  public static EventResponse event(byte[] body) {
    String[] error = {""};
    readStruct(body, "EventHandlerResponse", (f, p, t) -> {
      if (f.equalsIgnoreCase(ERROR_MESSAGE)) {
        error[0] = string(p, t, "EventHandlerResponse.errorMessage");
      } else {
        p.skipChildren();
      }
    });
    return new EventResponse(error[0]);
  }

  /** Reads a preemptable / reclaimable answer as Volcano does; the victims are their TaskInfos' {@code UID}s. */
  public static EvictionResponse eviction(byte[] body) {
    int[] status = {0};
    java.util.List<String> victims = new java.util.ArrayList<>();
    readStruct(body, "PreemptableResponse", (f, p, t) -> {
      if (f.equalsIgnoreCase(STATUS)) {
        status[0] = integer(p, t, "PreemptableResponse.status");
      } else if (f.equalsIgnoreCase(VICTIMS)) {
        if (t == JsonToken.VALUE_NULL) {
          return;
        }
        if (t != JsonToken.START_ARRAY) {
          throw new VolcanoResponseException("json: cannot unmarshal " + goKind(t)
              + " into Go struct field PreemptableResponse.victims of type []*api.TaskInfo");
        }
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
          if (e != JsonToken.START_OBJECT) {
            throw new VolcanoResponseException("json: cannot unmarshal " + goKind(e)
                + " into Go struct field PreemptableResponse.victims of type api.TaskInfo");
          }
          String uid = "";
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            JsonToken v = p.nextToken();
            if (k.equalsIgnoreCase(TASK_UID)) {
              uid = string(p, v, "TaskInfo.UID");
            } else {
              p.skipChildren();
            }
          }
          victims.add(uid);
        }
      } else {
        p.skipChildren();
      }
    });
    return new EvictionResponse(status[0], victims);
  }

  /** One member of a response struct: its key, the parser on its value and the value's first token. */
  @FunctionalInterface
  private interface Member {
    void read(String key, JsonParser p, JsonToken value) throws IOException;
  }

  /** Decodes {@code body} as a JSON object of Go type {@code type}, member by member, with Go's errors. */
  private static void readStruct(byte[] body, String type, Member member) {
    try (JsonParser p = open(body, type)) {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        member.read(f, p, p.nextToken());
      }
    } catch (JsonProcessingException e) {
      throw syntax(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static @Nullable Map<String, Double> scores(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.START_OBJECT) {
      throw new VolcanoResponseException("json: cannot unmarshal " + goKind(t)
          + " into Go struct field PrioritizeResponse.nodeScore of type map[string]float64");
    }
    Map<String, Double> scores = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String node = p.currentName();
      JsonToken v = p.nextToken();
      if (v == JsonToken.VALUE_NULL) {
        scores.put(node, 0.0);
      } else if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
        scores.put(node, p.getDoubleValue());
      } else {
        throw new VolcanoResponseException("json: cannot unmarshal " + goKind(v)
            + " into Go struct field PrioritizeResponse.nodeScore of type float64");
      }
    }
    return scores;
  }

  private static JsonParser open(byte[] body, String type) throws IOException {
    if (body.length > MAX_BODY_BYTES) {
      throw new VolcanoResponseException("http: request body too large");
    }
    JsonParser p = JSON.createParser(body);
    JsonToken t = p.nextToken();
    if (t == null) {
      p.close();
      throw new VolcanoResponseException("EOF");
    }
    if (t != JsonToken.START_OBJECT) {
      p.close();
      throw new VolcanoResponseException("json: cannot unmarshal " + goKind(t) + " into Go value of type " + type);
    }
    return p;
  }

  private static String string(JsonParser p, JsonToken t, String field) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return "";
    }
    if (t != JsonToken.VALUE_STRING) {
      throw new VolcanoResponseException(
          "json: cannot unmarshal " + goKind(t) + " into Go struct field " + field + " of type string");
    }
    return p.getText();
  }

  private static int integer(JsonParser p, JsonToken t, String field) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return 0;
    }
    if (t == JsonToken.VALUE_NUMBER_INT) {
      long v = p.getLongValue();
      if (v == (int) v) {
        return (int) v;
      }
    }
    String what = t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT
        ? "number " + p.getText()
        : goKind(t);
    throw new VolcanoResponseException("json: cannot unmarshal " + what + " into Go struct field " + field
        + " of type int");
  }

  private static String goKind(JsonToken t) {
    return switch (t) {
      case START_OBJECT -> "object";
      case START_ARRAY -> "array";
      case VALUE_STRING -> "string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
      case VALUE_TRUE, VALUE_FALSE -> "bool";
      default -> t.name();
    };
  }

  private static VolcanoResponseException syntax(JsonProcessingException e) {
    return new VolcanoResponseException("invalid JSON in response: " + e.getOriginalMessage());
  }
}
