package io.github.volcanovgpu.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.github.volcanovgpu.bridge.admission.AdmissionCluster;
import io.github.volcanovgpu.bridge.admission.AdmissionPolicy;
import io.github.volcanovgpu.bridge.admission.PodAdmission;
import io.github.volcanovgpu.bridge.admission.ReloadingTls;
import io.github.volcanovgpu.bridge.admission.WebhookHttpsServer;
import io.github.volcanovgpu.bridge.admission.WebhookObserver;
import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.kube.RealApiServer;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.bridge.metrics.AdmissionMetrics;
import io.github.volcanovgpu.bridge.simulate.SessionDriver;
import io.github.volcanovgpu.bridge.testing.TestCertificates;
import io.github.volcanovgpu.bridge.testing.WebhookRegistration;
import io.github.volcanovgpu.plugin.vendor.vastai.DeviceStrategy;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1ResourceQuotaSpec;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admission against the namespace's quota with the usage coming from what the sidecar actually placed: vcjobs of
 * every kind (NVIDIA, Ascend 910C, Vastai) are scheduled through the extender onto device-plugin nodes, then the
 * webhook, wired to the same sidecar's ledger and ResourceQuota informer and registered with the real API server,
 * refuses each over-quota pod at creation with its reason, admits an in-quota one mutated, and the quota metric shows
 * the namespace's use.
 */
@RealApiServer
class AdmissionE2eIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final ApiClient client;
  private final KubeClients kube;
  private final CoreV1Api api;
  private final TestNamespace ns;
  @TempDir
  Path certDir;
  private E2eStack stack;
  private WebhookHttpsServer webhook;
  private WebhookRegistration registration;

  AdmissionE2eIT(ApiClient client, KubeClients kube, CoreV1Api api, TestNamespace ns) {
    this.client = client;
    this.kube = kube;
    this.api = api;
    this.ns = ns;
  }

  @AfterEach
  void stop() throws Exception {
    if (registration != null) {
      registration.close();
    }
    if (webhook != null) {
      webhook.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  private static String job(String name, String annotations, String limits) {
    return """
        apiVersion: batch.volcano.sh/v1alpha1
        kind: Job
        metadata: {name: %s, namespace: NS}
        spec:
          schedulerName: volcano
          minAvailable: 1
          tasks:
          - name: worker
            replicas: 1
            template:
              metadata:
                annotations: {%s}
              spec:
                containers:
                - name: main
                  image: busybox
                  resources:
                    limits: {%s}
        """.formatted(name, annotations, limits);
  }

  private static V1Pod pod(String name, Map<String, String> limits) {
    Map<String, Quantity> q = new HashMap<>();
    limits.forEach((k, v) -> q.put(k, new Quantity(v)));
    // client-java sends spec.overhead: {} unless cleared, which the API server refuses without a RuntimeClass
    return new V1Pod().metadata(new V1ObjectMeta().name(name)).spec(new V1PodSpec().restartPolicy("Never")
        .overhead(null).containers(List.of(new V1Container().name("main").image("busybox")
            .resources(new V1ResourceRequirements().limits(q)))));
  }

  private String refusal(V1Pod pod) {
    ApiException e = catchThrowableOfType(() -> api.createNamespacedPod(ns.name(), pod).execute(),
        ApiException.class);
    assertThat(e).as("pod %s must be refused", pod.getMetadata().getName()).isNotNull();
    assertThat(e.getCode()).isEqualTo(403);
    return e.getResponseBody();
  }

  @Test
  void overQuotaPodsOfEveryKindAreRefusedAtAdmissionWithTheirReason() throws Exception {
    stack = new E2eStack(client, kube, api, ns, "adm", SchedulingPolicy.BINPACK);
    stack.addNode("gpu", 2, "NVIDIA-A100-PCIE-40GB", 40960);
    stack.addAscendNode("npu", "910Cx16", "Ascend910C", true);
    stack.addVastaiNode("va", "2x4", DeviceStrategy.DIE);
    for (String[] j : List.of(
        new String[] {"gpu", "", "volcano.sh/vgpu-number: 1, volcano.sh/vgpu-memory: 10000"},
        new String[] {"npu", "huawei.com/vnpu-mode: hami-core",
            "huawei.com/Ascend910C: 1, huawei.com/Ascend910C-memory: 16384, huawei.com/Ascend910C-core: 30"},
        new String[] {"va", "", "vastaitech.com/va: 1"})) {
      SessionDriver.JobOutcome out = stack.driver().schedule(stack.job(job(j[0], j[1], j[2])));
      assertThat(out.scheduled()).as(out.toString()).isTrue();
    }
    api.createNamespacedResourceQuota(ns.name(), new V1ResourceQuota().metadata(new V1ObjectMeta().name("devices"))
        .spec(new V1ResourceQuotaSpec().hard(Map.of(
            "limits.volcano.sh/vgpu-memory", new Quantity("16000"),
            "limits.huawei.com/Ascend910C-memory", new Quantity("40000"),
            "limits.vastaitech.com/va", new Quantity("2")))))
        .execute();
    await().atMost(WAIT).until(() -> !stack.sidecar().quotas().quotas(ns.name()).isEmpty());

    TestCertificates certs = TestCertificates.create();
    certs.writeTo(certDir);
    var engine = stack.sidecar().engine();
    webhook = new WebhookHttpsServer(WebhookHttpsServer.Options.defaults("127.0.0.1", 0),
        new ReloadingTls(certDir.resolve("tls.crt"), certDir.resolve("tls.key"), Duration.ofSeconds(10)),
        new PodAdmission(engine.kinds(), new AdmissionPolicy(Optional.of("volcano"), Optional.empty(), true),
            AdmissionCluster.of(engine)),
        WebhookObserver.NONE).start();
    registration = WebhookRegistration.register(client, ns.name(), webhook.port(), certs.caPem(), "Fail");
    await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
      try {
        api.createNamespacedPod(ns.name(), pod("probe", Map.of("volcano.sh/vgpu-memroy", "1"))).dryRun("All")
            .execute();
        return false;
      } catch (ApiException e) {
        return e.getResponseBody() != null && e.getResponseBody().contains("a typo?");
      }
    });

    String denied = "admission webhook \\\"" + WebhookRegistration.VALIDATE_NAME + "\\\" denied the request";
    assertThat(refusal(pod("gpu-more", Map.of("volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-memory", "8000"))))
        .contains(denied).contains("exceeding resource quota " + ns.name()
            + "/devices: limits.volcano.sh/vgpu-memory asks 8000, used 10000, allowed 16000");
    assertThat(refusal(pod("npu-more", Map.of("huawei.com/Ascend910C", "1", "huawei.com/Ascend910C-memory",
        "16384")))).contains(denied)
        .contains("limits.huawei.com/Ascend910C-memory asks 32768, used 32768, allowed 40000");
    assertThat(refusal(pod("va-more", Map.of("vastaitech.com/va", "2")))).contains(denied)
        .contains("limits.vastaitech.com/va asks 2, used 1, allowed 2");

    V1Pod fits = api.createNamespacedPod(ns.name(), pod("gpu-fits", Map.of("volcano.sh/vgpu-memory", "5000")))
        .execute();
    assertThat(fits.getSpec().getSchedulerName()).isEqualTo("volcano");
    assertThat(fits.getSpec().getContainers().get(0).getResources().getLimits().get("volcano.sh/vgpu-number")
        .toSuffixedString()).isEqualTo("1");

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AdmissionMetrics metrics = new AdmissionMetrics(engine, registry);
    metrics.refresh();
    assertThat(registry.scrape()).contains("hami_resource_quota_used{limit=\"16000\",namespace=\"" + ns.name()
        + "\",quota_name=\"volcano.sh/vgpu-memory\"} 10000.0");
  }
}
