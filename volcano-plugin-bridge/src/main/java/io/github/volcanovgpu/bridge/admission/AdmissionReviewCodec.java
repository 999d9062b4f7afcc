package io.github.volcanovgpu.bridge.admission;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.volcanovgpu.contract.admission.AdmissionContract;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * The one definition of AdmissionReview {@code admission.k8s.io/v1} on the wire: the request members the webhook
 * reads, and the response it writes ({@code uid}, {@code allowed}, {@code status} with {@code code} and
 * {@code message} when denied, {@code patchType: JSONPatch} and the base64 {@code patch} when mutated).
 */
public final class AdmissionReviewCodec {
  private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build())
      .build());

  private AdmissionReviewCodec() {}

  /**
   * Reads a review.
   *
   * @throws MalformedReviewException naming what is missing or wrong
   */
  public static AdmissionRequest decode(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new MalformedReviewException("the body is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new MalformedReviewException("the body cannot be read: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new MalformedReviewException("the body is not a JSON object (an AdmissionReview is expected)");
    }
    String apiVersion = root.path("apiVersion").asText("");
    String kind = root.path("kind").asText("");
    if (!AdmissionContract.REVIEW_KIND.equals(kind) || !AdmissionContract.REVIEW_API_VERSION.equals(apiVersion)) {
      throw new MalformedReviewException("expected kind " + AdmissionContract.REVIEW_KIND + " apiVersion "
          + AdmissionContract.REVIEW_API_VERSION + ", got kind \"" + kind + "\" apiVersion \"" + apiVersion
          + "\" (the webhook configuration must list admissionReviewVersions: [v1])");
    }
    JsonNode request = root.get("request");
    if (request == null || !request.isObject()) {
      throw new MalformedReviewException("the AdmissionReview has no request object");
    }
    String uid = text(request, "uid");
    if (uid.isEmpty()) {
      throw new MalformedReviewException("the AdmissionReview request has no uid");
    }
    JsonNode object = request.path("object");
    if (!object.isMissingNode() && !object.isNull() && !object.isObject()) {
      throw new MalformedReviewException("request.object is not a JSON object");
    }
    return new AdmissionRequest(uid, request.path("kind").path("group").asText(""),
        request.path("kind").path("kind").asText(""), text(request, "operation"), text(request, "namespace"), object);
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isTextual() ? v.asText() : "";
  }

  /** The response review for {@code uid}. */
  public static byte[] encode(String uid, AdmissionDecision decision) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("apiVersion", AdmissionContract.REVIEW_API_VERSION);
      g.writeStringField("kind", AdmissionContract.REVIEW_KIND);
      g.writeObjectFieldStart("response");
      g.writeStringField("uid", uid);
      if (decision instanceof AdmissionDecision.Allowed a) {
        g.writeBooleanField("allowed", true);
        if (!a.patch().isEmpty()) {
          g.writeStringField("patchType", "JSONPatch");
          g.writeStringField("patch", Base64.getEncoder().encodeToString(patchJson(a.patch())));
        }
      } else {
        AdmissionDecision.Denied d = (AdmissionDecision.Denied) decision;
        g.writeBooleanField("allowed", false);
        g.writeObjectFieldStart("status");
        g.writeNumberField("code", d.code());
        g.writeStringField("message", d.message());
        g.writeEndObject();
      }
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The patch as an RFC 6902 JSON array. */
  public static byte[] patchJson(List<PatchOp> ops) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      g.setCodec(JSON);
      g.writeStartArray();
      for (PatchOp op : ops) {
        g.writeStartObject();
        g.writeStringField("op", op.op());
        g.writeStringField("path", op.path());
        g.writeFieldName("value");
        g.writeTree(op.value());
        g.writeEndObject();
      }
      g.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A denial of a body that cannot be read, for the transport (the review's uid is unknown: empty). */
  public static byte[] malformed(String message) {
    return encode("", new AdmissionDecision.Denied(message, 400));
  }

  static ObjectMapper mapper() {
    return JSON;
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
