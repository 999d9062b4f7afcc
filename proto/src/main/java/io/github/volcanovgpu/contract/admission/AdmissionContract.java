package io.github.volcanovgpu.contract.admission;

/**
 * The names the admission webhook shares with the API server (the webhook configurations in the chart), with users
 * (the opt-out label, the ResourceQuota keys) and with HAMi (the same label and quota model, so a namespace set up
 * for HAMi behaves the same here).
 */
public final class AdmissionContract {
  /** AdmissionReview {@code apiVersion} read and written (the only version the webhook configurations ask for). */
  public static final String REVIEW_API_VERSION = "admission.k8s.io/v1";

  public static final String REVIEW_KIND = "AdmissionReview";

  /** HTTPS path of the mutating webhook (MutatingWebhookConfiguration {@code clientConfig.service.path}). */
  public static final String MUTATE_PATH = "/mutate";

  /** HTTPS path of the validating webhook (ValidatingWebhookConfiguration {@code clientConfig.service.path}). */
  public static final String VALIDATE_PATH = "/validate";

  /**
   * Label that takes a namespace or a pod out of the webhooks (HAMi's: {@code hami.io/webhook=ignore}); the chart's
   * namespace and object selectors exclude it, and the webhook skips a pod carrying it.
   */
  public static final String OPT_OUT_LABEL = "hami.io/webhook";

  public static final String OPT_OUT_VALUE = "ignore";

  /**
   * Prefix of a device quota in a namespace's ResourceQuota {@code spec.hard}: {@code limits.<resource>}, e.g.
   * {@code limits.volcano.sh/vgpu-memory: 16000} (HAMi's model, {@code pkg/device/quota.go}). Kubernetes' own quota
   * evaluator ignores {@code limits.} entries of extended resources, so only the webhook and the scheduler hold them.
   */
  public static final String QUOTA_LIMITS_PREFIX = "limits.";

  /** API group of Volcano's Job ({@code batch.volcano.sh/v1alpha1}, resource {@code jobs}), reviewed at CREATE. */
  public static final String VCJOB_GROUP = "batch.volcano.sh";

  public static final String VCJOB_KIND = "Job";

  public static final String VCJOB_RESOURCE = "jobs";

  /** The quota key of {@code resource}: {@code limits.<resource>}. */
  public static String quotaKey(String resource) {
    return QUOTA_LIMITS_PREFIX + resource;
  }

  private AdmissionContract() {}
}
