package io.github.volcanovgpu.bridge.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * What the webhook reads of an AdmissionReview's {@code request}.
 *
 * @param kind {@code request.kind.kind}, e.g. {@code Pod}
 * @param operation {@code CREATE}, {@code UPDATE}...
 * @param namespace {@code request.namespace} (a pod's {@code metadata.namespace} may be empty at CREATE)
 * @param object {@code request.object}, null-node when absent
 */
public record AdmissionRequest(String uid, String kind, String operation, String namespace, JsonNode object) {
  public AdmissionRequest {
    Objects.requireNonNull(uid, "uid");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(object, "object");
  }
}
