/**
 * The admission webhook: AdmissionReview v1 in and out ({@link AdmissionReviewCodec}), the pod read from its JSON
 * ({@link AdmittedPod}), the decisions ({@link PodAdmission}: request normalisation as an RFC 6902 patch, denials,
 * the device quota) and the HTTPS edge ({@link WebhookHttpsServer}, certificates reloaded from their files). The
 * decisions are pure over the device kinds, the policy and an {@link AdmissionCluster}; no kind is named here.
 */
@NullMarked
package io.github.volcanovgpu.bridge.admission;

import org.jspecify.annotations.NullMarked;
