package io.github.volcanovgpu.bridge.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.github.volcanovgpu.bridge.kube.KubeResourceQuotas;
import io.github.volcanovgpu.bridge.kube.RealApiServer;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.bridge.scheduling.AssignmentWriter;
import io.github.volcanovgpu.bridge.scheduling.ClusterState;
import io.github.volcanovgpu.bridge.scheduling.EngineConfig;
import io.github.volcanovgpu.bridge.scheduling.NodeLock;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.testing.TestCertificates;
import io.github.volcanovgpu.bridge.testing.VolcanoCrds;
import io.github.volcanovgpu.bridge.testing.WebhookRegistration;
import io.github.volcanovgpu.bridge.vendor.VendorCatalog;
import io.github.volcanovgpu.contract.admission.AdmissionContract;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1ResourceQuota;
import io.kubernetes.client.openapi.models.V1ResourceQuotaSpec;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kube-apiserver calls the webhook over TLS on loopback, as registered by Mutating- and
 * ValidatingWebhookConfigurations scoped to this class's namespace (the API server is shared; no other namespace
 * is affected, and the configurations are deleted afterwards).
 */
@RealApiServer
class AdmissionWebhookIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final KubeClients clients;
  private final CoreV1Api api;
  private final TestNamespace ns;
  @TempDir
  Path certDir;
  private KubeResourceQuotas quotas;
  private WebhookHttpsServer server;
  private TestCertificates certs;
  private WebhookRegistration registration;
  private final java.util.concurrent.ConcurrentLinkedQueue<Long> webhookNanos =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  AdmissionWebhookIT(KubeClients clients, CoreV1Api api, TestNamespace ns) {
    this.clients = clients;
    this.api = api;
    this.ns = ns;
  }

  @BeforeEach
  void startWebhook() throws Exception {
    quotas = new KubeResourceQuotas(clients.watches());
    quotas.start();
    assertThat(quotas.awaitSynced(WAIT)).isTrue();
    var kinds = VendorCatalog.kinds(DeviceConfig.defaults());
    PlacementEngine engine = new PlacementEngine(kinds, ClusterState.NONE, AssignmentWriter.UNAVAILABLE,
        NodeLock.DISABLED, EngineConfig.defaults(), Clock.systemUTC(), quotas);
    certs = TestCertificates.create();
    certs.writeTo(certDir);
    server = new WebhookHttpsServer(WebhookHttpsServer.Options.defaults("127.0.0.1", 0),
        new ReloadingTls(certDir.resolve("tls.crt"), certDir.resolve("tls.key"), Duration.ofSeconds(10)),
        new PodAdmission(kinds, new AdmissionPolicy(Optional.of("volcano"), Optional.empty(), true),
            AdmissionCluster.of(engine)),
        (route, status, outcome, nanos) -> webhookNanos.add(nanos)).start();
  }

  @AfterEach
  void stop() {
    if (registration != null) {
      registration.close();
    }
    if (server != null) {
      server.close();
    }
    if (quotas != null) {
      quotas.close();
    }
  }

  private void register(String failurePolicy) throws ApiException {
    registration = WebhookRegistration.register(clients.requests(), ns.name(), server.port(), certs.caPem(),
        failurePolicy);
  }

  /** Waits until the API server calls the webhook (it picks configurations up within a few seconds). */
  private void awaitActive() {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
      try {
        api.createNamespacedPod(ns.name(), pod("probe", Map.of("volcano.sh/vgpu-memroy", "1"))).dryRun("All")
            .execute();
        return false;
      } catch (ApiException e) {
        return e.getResponseBody() != null && e.getResponseBody().contains("a typo?");
      }
    });
  }

  private static V1Pod pod(String name, Map<String, String> limits) {
    Map<String, Quantity> q = new HashMap<>();
    limits.forEach((k, v) -> q.put(k, new Quantity(v)));
    // client-java sends spec.overhead: {} unless cleared, which the API server refuses without a RuntimeClass
    return new V1Pod().metadata(new V1ObjectMeta().name(name)).spec(new V1PodSpec().restartPolicy("Never")
        .overhead(null)
        .containers(List.of(new V1Container().name("worker").image("pytorch/pytorch")
            .resources(new V1ResourceRequirements().limits(q)))));
  }

  private void quota(String memory) throws ApiException {
    quota("gpu", memory);
  }

  private void quota(String name, String memory) throws ApiException {
    api.createNamespacedResourceQuota(ns.name(), new V1ResourceQuota().metadata(new V1ObjectMeta().name(name))
        .spec(new V1ResourceQuotaSpec().hard(Map.of("limits.volcano.sh/vgpu-memory", new Quantity(memory)))))
        .execute();
    await().atMost(WAIT).until(() -> quotas.quotas(ns.name()).stream().anyMatch(q -> q.name().equals(name)));
  }

  @Test
  void anOverQuotaPodIsRefusedAtCreationWithTheReason() throws Exception {
    register("Fail");
    awaitActive();
    quota("16000");

    ApiException e = catchThrowableOfType(() -> api.createNamespacedPod(ns.name(), pod("greedy",
        Map.of("volcano.sh/vgpu-number", "2", "volcano.sh/vgpu-memory", "10000"))).execute(), ApiException.class);

    assertThat(e).isNotNull();
    assertThat(e.getCode()).isEqualTo(403);
    assertThat(e.getResponseBody()).contains("admission webhook \\\"validate.vgpu.volcano-vgpu.io\\\" denied")
        .contains("exceeding resource quota " + ns.name() + "/gpu: limits.volcano.sh/vgpu-memory asks 20000, used 0,"
            + " allowed 16000");
  }

  /** A vcjob of one task: {@code replicas} pods of one GPU with {@code mib} MiB each (minAvailable left to Volcano). */
  private static Map<String, Object> vcjob(String name, int replicas, int mib) {
    Map<String, Object> container = Map.of("name", "worker", "image", "pytorch/pytorch", "resources",
        Map.of("limits", Map.of("volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-memory", Integer.toString(mib))));
    Map<String, Object> task = Map.of("name", "worker", "replicas", replicas, "template",
        Map.of("spec", Map.of("restartPolicy", "Never", "containers", List.of(container))));
    return Map.of("apiVersion", "batch.volcano.sh/v1alpha1", "kind", "Job", "metadata", Map.of("name", name),
        "spec", Map.of("schedulerName", "volcano", "tasks", List.of(task)));
  }

  @Test
  void aVcjobWhoseGangCannotFitTheQuotaIsRefusedWholeAtCreation() throws Exception {
    VolcanoCrds.installJobs(clients.requests());
    register("Fail");
    awaitActive();
    quota("gang", "16000");
    CustomObjectsApi objects = new CustomObjectsApi(clients.requests());
    try {
      ApiException e = catchThrowableOfType(() -> objects.createNamespacedCustomObject(
          AdmissionContract.VCJOB_GROUP, "v1alpha1", ns.name(), AdmissionContract.VCJOB_RESOURCE,
          vcjob("gang", 3, 6000)).execute(), ApiException.class);
      objects.createNamespacedCustomObject(AdmissionContract.VCJOB_GROUP, "v1alpha1", ns.name(),
          AdmissionContract.VCJOB_RESOURCE, vcjob("fits", 2, 6000)).execute();

      assertThat(e).isNotNull();
      assertThat(e.getCode()).isEqualTo(403);
      assertThat(e.getResponseBody()).contains("admission webhook \\\"validate.vgpu.volcano-vgpu.io\\\" denied")
          .contains("vcjob " + ns.name() + "/gang: its gang (minAvailable 3: the pods Volcano must start together) "
              + "does not fit the namespace's quota now: exceeding resource quota " + ns.name() + "/gang: "
              + "limits.volcano.sh/vgpu-memory asks 18000, used 0, allowed 16000");
      assertThat(objects.getNamespacedCustomObject(AdmissionContract.VCJOB_GROUP, "v1alpha1", ns.name(),
          AdmissionContract.VCJOB_RESOURCE, "fits").execute()).isNotNull();
    } finally {
      api.deleteNamespacedResourceQuota("gang", ns.name()).execute();
      await().atMost(WAIT).until(() -> quotas.quotas(ns.name()).stream().noneMatch(q -> q.name().equals("gang")));
    }
  }

  @Test
  void aQuotaScopedToAPriorityClassHoldsOnlyThatClassesPods() throws Exception {
    register("Fail");
    awaitActive();
    String high = ns.name() + "-high";
    var scheduling = new io.kubernetes.client.openapi.apis.SchedulingV1Api(clients.requests());
    scheduling.createPriorityClass(new io.kubernetes.client.openapi.models.V1PriorityClass()
        .metadata(new V1ObjectMeta().name(high)).value(1000)).execute();
    try {
      api.createNamespacedResourceQuota(ns.name(), new V1ResourceQuota().metadata(new V1ObjectMeta().name("high"))
          .spec(new V1ResourceQuotaSpec().hard(Map.of("limits.volcano.sh/vgpu-memory", new Quantity("1000")))
              .scopeSelector(new io.kubernetes.client.openapi.models.V1ScopeSelector().addMatchExpressionsItem(
                  new io.kubernetes.client.openapi.models.V1ScopedResourceSelectorRequirement()
                      .scopeName("PriorityClass").operator("In").values(List.of(high))))))
          .execute();
      await().atMost(WAIT).until(() -> quotas.quotas(ns.name()).stream()
          .anyMatch(q -> q.name().equals("high") && !q.scope().isAll()));
      V1Pod ofClass = pod("of-class", Map.of("volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-memory", "2000"));
      ofClass.getSpec().priorityClassName(high);

      ApiException e = catchThrowableOfType(() -> api.createNamespacedPod(ns.name(), ofClass).execute(),
          ApiException.class);
      V1Pod other = api.createNamespacedPod(ns.name(), pod("no-class", Map.of("volcano.sh/vgpu-number", "1",
          "volcano.sh/vgpu-memory", "2000"))).execute();

      assertThat(e).isNotNull();
      assertThat(e.getResponseBody()).contains("exceeding resource quota " + ns.name() + "/high: "
          + "limits.volcano.sh/vgpu-memory asks 2000, used 0, allowed 1000");
      assertThat(other.getMetadata().getUid()).isNotEmpty();
    } finally {
      api.deleteNamespacedResourceQuota("high", ns.name()).execute();
      scheduling.deletePriorityClass(high).execute();
      await().atMost(WAIT).until(() -> quotas.quotas(ns.name()).stream().noneMatch(q -> q.name().equals("high")));
    }
  }

  @Test
  void everyDeviceKindsQuotaIsHeldAtCreation() throws Exception {
    register("Fail");
    awaitActive();
    api.createNamespacedResourceQuota(ns.name(), new V1ResourceQuota().metadata(new V1ObjectMeta().name("npu-va"))
        .spec(new V1ResourceQuotaSpec().hard(Map.of("limits.huawei.com/Ascend910B3-memory", new Quantity("16384"),
            "limits.vastaitech.com/va", new Quantity("1")))))
        .execute();
    await().atMost(WAIT).until(() -> quotas.quotas(ns.name()).stream().anyMatch(q -> q.name().equals("npu-va")));

    ApiException npu = catchThrowableOfType(() -> api.createNamespacedPod(ns.name(), pod("npu",
        Map.of("huawei.com/Ascend910B3", "2", "huawei.com/Ascend910B3-memory", "16384"))).execute(),
        ApiException.class);
    ApiException va = catchThrowableOfType(() -> api.createNamespacedPod(ns.name(), pod("va",
        Map.of("vastaitech.com/va", "2"))).execute(), ApiException.class);

    assertThat(npu.getResponseBody())
        .contains("limits.huawei.com/Ascend910B3-memory asks 32768, used 0, allowed 16384");
    assertThat(va.getResponseBody()).contains("limits.vastaitech.com/va asks 2, used 0, allowed 1");
  }

  @Test
  void anInQuotaPodIsCreatedWithItsRequestNormalised() throws Exception {
    register("Fail");
    awaitActive();

    V1Pod created = api.createNamespacedPod(ns.name(), pod("fits", Map.of("volcano.sh/vgpu-memory", "3000")))
        .execute();

    assertThat(created.getSpec().getSchedulerName()).isEqualTo("volcano");
    V1ResourceRequirements r = created.getSpec().getContainers().get(0).getResources();
    assertThat(r.getLimits().get("volcano.sh/vgpu-number").toSuffixedString()).isEqualTo("1");
    assertThat(r.getRequests().get("volcano.sh/vgpu-number").toSuffixedString()).isEqualTo("1");
    assertThat(r.getLimits()).doesNotContainKey("volcano.sh/vgpu-cores");
  }

  @Test
  void theWebhookDownRefusesPodsUnderFailAndAdmitsThemUnderIgnore() throws Exception {
    register("Fail");
    awaitActive();
    server.close();

    ApiException e = catchThrowableOfType(() -> api.createNamespacedPod(ns.name(),
        pod("down-fail", Map.of("volcano.sh/vgpu-number", "1"))).execute(), ApiException.class);
    assertThat(e).isNotNull();
    assertThat(e.getResponseBody()).contains("failed calling webhook");

    register("Ignore");
    V1Pod admitted = await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
      try {
        return api.createNamespacedPod(ns.name(), pod("down-ignore", Map.of("volcano.sh/vgpu-number", "1")))
            .execute();
      } catch (ApiException ex) {
        return null;
      }
    }, p -> p != null);
    assertThat(admitted.getSpec().getSchedulerName()).isEqualTo("default-scheduler"); // not mutated
  }

  @Test
  void aPodLabelledToOptOutIsNotReviewed() throws Exception {
    register("Fail");
    awaitActive();
    V1Pod p = pod("opted-out", Map.of("volcano.sh/vgpu-number", "1"));
    p.getMetadata().setLabels(Map.of(AdmissionContract.OPT_OUT_LABEL, AdmissionContract.OPT_OUT_VALUE));

    V1Pod created = api.createNamespacedPod(ns.name(), p).execute();

    assertThat(created.getSpec().getSchedulerName()).isEqualTo("default-scheduler");
  }

  /**
   * The figure of the benchmark table: pod creation latency through the API server (dry run, so nothing is
   * stored) with both webhooks registered and without, and the webhook's own time per review as its server
   * measured it; written to {@code target/admission-latency.md} ({@code scripts/bench.sh} appends it). Not an
   * assertion on speed: a shared machine's figures vary.
   */
  @Test
  void admissionLatencyThroughTheApiServerIsMeasured() throws Exception {
    quota("roomy", "1000000"); // the check runs over a real quota, which the pods fit
    V1Pod p = pod("latency", Map.of("volcano.sh/vgpu-number", "1", "volcano.sh/vgpu-memory", "3000"));
    int n = 300;
    long[] without = createTimes(p, n);
    register("Fail");
    awaitActive();
    createTimes(p, 50); // warm connections and the JIT
    webhookNanos.clear();
    long[] with = createTimes(p, n);
    long[] hook = webhookNanos.stream().mapToLong(Long::longValue).sorted().toArray();
    String table = String.format(java.util.Locale.ROOT, """
        | admission through the real kube-apiserver (%d dry-run pod creates, loopback TLS) | p50 | p99 |
        |---|---:|---:|
        | pod create, no webhook | %.2f ms | %.2f ms |
        | pod create, mutating + validating webhook | %.2f ms | %.2f ms |
        | webhook's own time per review (server side, %d reviews) | %.3f ms | %.3f ms |
        """, n, ms(without, 0.5), ms(without, 0.99), ms(with, 0.5), ms(with, 0.99), hook.length, ms(hook, 0.5),
        ms(hook, 0.99));
    System.out.print(table);
    java.nio.file.Files.writeString(Path.of("target/admission-latency.md"), table);
    assertThat(hook.length).isGreaterThanOrEqualTo(2 * n);
  }

  private long[] createTimes(V1Pod p, int n) throws ApiException {
    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      long start = System.nanoTime();
      api.createNamespacedPod(ns.name(), p).dryRun("All").execute();
      t[i] = System.nanoTime() - start;
    }
    java.util.Arrays.sort(t);
    return t;
  }

  private static double ms(long[] sorted, double q) {
    return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e6;
  }
}
