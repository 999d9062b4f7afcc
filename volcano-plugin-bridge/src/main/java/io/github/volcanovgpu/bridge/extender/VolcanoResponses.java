package io.github.volcanovgpu.bridge.extender;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decodes extender responses the way Volcano's scheduler does (Go {@code encoding/json} into its response structs,
 * reference volcano-vgpu.md §2.2-2.4): keys matched case-insensitively, unknown keys ignored, an empty body is an
 * error (Go's {@code EOF}), integer fields must be JSON integers ({@code 2}, not {@code 2.0}), and bodies over
 * 10 MiB are refused. Used by the simulator and tests to play Volcano against the real endpoint. Thread-safe.
 */
public final class VolcanoResponses {
  /** Volcano's cap on a response body ({@code maxBodySize = 10 << 20}). */
  public static final int MAX_BODY_BYTES = 10 << 20;

  private static final JsonFactory JSON = new JsonFactory();

  private VolcanoResponses() {}

  public static PredicateResponse predicate(byte[] body) {
    String status = "";
    int code = 0;
    try (JsonParser p = open(body, "PredicateResponse")) {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        JsonToken t = p.nextToken();
        if (VolcanoJsonReader.is(f, "status")) {
          status = string(p, t, "PredicateResponse.status");
        } else if (VolcanoJsonReader.is(f, "code")) {
          code = integer(p, t, "PredicateResponse.code");
        } else {
          p.skipChildren();
        }
      }
    } catch (JsonProcessingException e) {
      throw syntax(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new PredicateResponse(status, code);
  }

  public static PrioritizeResponse prioritize(byte[] body) {
    Map<String, Double> scores = null;
    String error = "";
    try (JsonParser p = open(body, "PrioritizeResponse")) {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        JsonToken t = p.nextToken();
        if (VolcanoJsonReader.is(f, "nodeScore")) {
          if (t == JsonToken.VALUE_NULL) {
            scores = null;
            continue;
          }
          if (t != JsonToken.START_OBJECT) {
            throw new VolcanoResponseException(
                "json: cannot unmarshal " + goKind(t) + " into Go struct field PrioritizeResponse.nodeScore of type"
                    + " map[string]float64");
          }
          scores = new LinkedHashMap<>();
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
        } else if (VolcanoJsonReader.is(f, "errorMessage")) {
          error = string(p, t, "PrioritizeResponse.errorMessage");
        } else {
          p.skipChildren();
        }
      }
    } catch (JsonProcessingException e) {
      throw syntax(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new PrioritizeResponse(scores, error);
  }

  /** allocate / deallocate. */
  public static EventResponse event(byte[] body) {
    String error = "";
    try (JsonParser p = open(body, "EventHandlerResponse")) {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        JsonToken t = p.nextToken();
        if (VolcanoJsonReader.is(f, "errorMessage")) {
          error = string(p, t, "EventHandlerResponse.errorMessage");
        } else {
          p.skipChildren();
        }
      }
    } catch (JsonProcessingException e) {
      throw syntax(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new EventResponse(error);
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
