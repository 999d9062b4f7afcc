package io.github.volcanovgpu.bridge.testing;

import io.github.volcanovgpu.contract.admission.AdmissionContract;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AdmissionregistrationV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.AdmissionregistrationV1WebhookClientConfig;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LabelSelectorRequirement;
import io.kubernetes.client.openapi.models.V1MutatingWebhook;
import io.kubernetes.client.openapi.models.V1MutatingWebhookConfiguration;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1RuleWithOperations;
import io.kubernetes.client.openapi.models.V1ValidatingWebhook;
import io.kubernetes.client.openapi.models.V1ValidatingWebhookConfiguration;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The webhook registered with a real API server as the chart registers it (pod CREATE, vcjob CREATE for the
 * validating one, v1 reviews, the opt-out label), but called by URL on loopback and scoped to one test namespace: the API server is shared, so no other
 * namespace may depend on a test's webhook. {@link #close()} deletes both configurations.
 */
public final class WebhookRegistration implements AutoCloseable {
  /** Namespace label the configurations select on. */
  public static final String SCOPE_LABEL = "test.volcano-vgpu.io/webhook";
  public static final String MUTATE_NAME = "mutate.vgpu.volcano-vgpu.io";
  public static final String VALIDATE_NAME = "validate.vgpu.volcano-vgpu.io";

  private final AdmissionregistrationV1Api hooks;
  private final String name;

  private WebhookRegistration(AdmissionregistrationV1Api hooks, String name) {
    this.hooks = hooks;
    this.name = name;
  }

  /**
   * Labels {@code namespace} and (re)creates both configurations pointing at {@code https://127.0.0.1:<port>}.
   *
   * @param failurePolicy {@code Fail} or {@code Ignore}
   */
  public static WebhookRegistration register(ApiClient client, String namespace, int port, String caPem,
      String failurePolicy) throws ApiException {
    CoreV1Api api = new CoreV1Api(client);
    V1Namespace n = api.readNamespace(namespace).execute();
    Map<String, String> labels = new HashMap<>(n.getMetadata().getLabels() == null ? Map.of()
        : n.getMetadata().getLabels());
    if (!namespace.equals(labels.get(SCOPE_LABEL))) {
      labels.put(SCOPE_LABEL, namespace);
      n.getMetadata().setLabels(labels);
      api.replaceNamespace(namespace, n).execute();
    }
    WebhookRegistration r = new WebhookRegistration(new AdmissionregistrationV1Api(client), namespace + "-vgpu");
    r.close();
    String base = "https://127.0.0.1:" + port;
    byte[] ca = caPem.getBytes(StandardCharsets.UTF_8);
    V1LabelSelector scope = new V1LabelSelector().matchLabels(Map.of(SCOPE_LABEL, namespace));
    V1LabelSelector optOut = new V1LabelSelector().addMatchExpressionsItem(new V1LabelSelectorRequirement()
        .key(AdmissionContract.OPT_OUT_LABEL).operator("NotIn").values(List.of(AdmissionContract.OPT_OUT_VALUE)));
    V1RuleWithOperations rule = new V1RuleWithOperations().operations(List.of("CREATE")).apiGroups(List.of(""))
        .apiVersions(List.of("v1")).resources(List.of("pods"));
    V1RuleWithOperations vcjobs = new V1RuleWithOperations().operations(List.of("CREATE"))
        .apiGroups(List.of(AdmissionContract.VCJOB_GROUP)).apiVersions(List.of("v1alpha1"))
        .resources(List.of(AdmissionContract.VCJOB_RESOURCE));
    V1ObjectMeta meta = new V1ObjectMeta().name(r.name).labels(Map.of("test.volcano-vgpu.io/namespace", namespace));
    r.hooks.createMutatingWebhookConfiguration(new V1MutatingWebhookConfiguration().metadata(meta)
        .webhooks(List.of(new V1MutatingWebhook().name(MUTATE_NAME)
            .clientConfig(new AdmissionregistrationV1WebhookClientConfig().url(base + AdmissionContract.MUTATE_PATH)
                .caBundle(ca))
            .rules(List.of(rule)).failurePolicy(failurePolicy).sideEffects("None")
            .admissionReviewVersions(List.of("v1")).timeoutSeconds(5).reinvocationPolicy("Never")
            .namespaceSelector(scope).objectSelector(optOut))))
        .execute();
    r.hooks.createValidatingWebhookConfiguration(new V1ValidatingWebhookConfiguration().metadata(meta)
        .webhooks(List.of(new V1ValidatingWebhook().name(VALIDATE_NAME)
            .clientConfig(new AdmissionregistrationV1WebhookClientConfig()
                .url(base + AdmissionContract.VALIDATE_PATH).caBundle(ca))
            .rules(List.of(rule, vcjobs)).failurePolicy(failurePolicy).sideEffects("None")
            .admissionReviewVersions(List.of("v1")).timeoutSeconds(5)
            .namespaceSelector(scope).objectSelector(optOut))))
        .execute();
    return r;
  }

  @Override
  public void close() {
    try {
      hooks.deleteMutatingWebhookConfiguration(name).execute();
    } catch (ApiException e) {
      // absent
    }
    try {
      hooks.deleteValidatingWebhookConfiguration(name).execute();
    } catch (ApiException e) {
      // absent
    }
  }
}
