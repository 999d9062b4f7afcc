package io.github.volcanovgpu.bridge.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * What the webhook reads of an AdmissionReview's {@code request}.
 *
 * @param group {@code request.kind.group}: empty for a Pod, {@code batch.volcano.sh} for a vcjob
 * @param kind {@code request.kind.kind}, e.g. {@code Pod}
 * @param operation {@code CREATE}, {@code UPDATE}...
 * @param namespace {@code request.namespace} (a pod's {@code metadata.namespace} may be empty at CREATE)
 * @param object {@code request.object}, null-node when absent
 */
public record AdmissionRequest(String uid, String group, String kind, String operation, String namespace,
    JsonNode object) {
  public AdmissionRequest {
    Objects.requireNonNull(uid, "uid");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(object, "object");
  }

  /** A request for a kind of the core group (a Pod). */
  public AdmissionRequest(String uid, String kind, String operation, String namespace, JsonNode object) {
    this(uid, "", kind, operation, namespace, object);
  }
}
