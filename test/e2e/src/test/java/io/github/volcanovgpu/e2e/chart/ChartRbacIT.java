package io.github.volcanovgpu.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.volcanovgpu.bridge.kube.InformerClusterState;
import io.github.volcanovgpu.bridge.kube.KubeAssignmentWriter;
import io.github.volcanovgpu.bridge.kube.KubeFixtures;
import io.github.volcanovgpu.bridge.kube.KubeResourceQuotas;
import io.github.volcanovgpu.bridge.kube.LeaseLeaderElection;
import io.github.volcanovgpu.bridge.kube.RealApiServer;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.plugin.allocate.KubePodSource;
import io.github.volcanovgpu.plugin.allocate.NodePodWatch;
import io.github.volcanovgpu.plugin.allocate.PodSnapshot;
import io.github.volcanovgpu.plugin.register.KubeNodeAnnotator;
import io.github.volcanovgpu.plugin.register.KubeNodeEvents;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AuthorizationV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api;
import io.kubernetes.client.openapi.models.AuthenticationV1TokenRequest;
import io.kubernetes.client.openapi.models.V1ClusterRole;
import io.kubernetes.client.openapi.models.V1ClusterRoleBinding;
import io.kubernetes.client.openapi.models.V1ResourceAttributes;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1SubjectAccessReview;
import io.kubernetes.client.openapi.models.V1SubjectAccessReviewSpec;
import io.kubernetes.client.openapi.models.V1TokenRequestSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Interceptor;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's RBAC, as real Helm renders it, applied to a real kube-apiserver that authorizes by RBAC; each
 * component's own Kubernetes code then does its work under a token of the ServiceAccount the chart gives it. Every
 * response is recorded, so a verb the chart forgot fails the test even where the component survives the refusal
 * (an informer whose watch is forbidden falls back to re-listing and logs; it does not throw).
 */
@RealApiServer
class ChartRbacIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  @Test
  void theDevicePluginWatchesReadsAndPatchesItsNodesPodsAndRecordsEventsWithOnlyTheChartsGrants(
      KubeClients admin, CoreV1Api api, TestNamespace ns) throws Exception {
    RenderedChart chart = RenderedChart.render(ns.name(), Map.of());
    apply(admin.requests(), chart);
    String node = ns.nodeName("rbac-dp");
    api.createNode(KubeFixtures.node(ns, node, Map.of(), Map.of())).execute();
    api.createNamespacedPod(ns.name(), KubeFixtures.pod(ns.name(), "before-sync", node, Map.of())).execute();

    Recorded recorded = new Recorded();
    KubeClients plugin = recorded.wrap(clientsOf(admin.requests(), ns.name(), chart.devicePluginServiceAccount()));

    try (NodePodWatch watch = new NodePodWatch(plugin.watches(), node).start()) {
      await().atMost(WAIT).until(() -> names(watch.pendingPods()).contains("before-sync"));
      // after the first LIST: only a watch brings this one in before the informer's next re-list
      api.createNamespacedPod(ns.name(), KubeFixtures.pod(ns.name(), "after-sync", node, Map.of())).execute();
      await().atMost(WAIT).until(() -> names(watch.pendingPods()).contains("after-sync"));

      KubePodSource pods = new KubePodSource(plugin.requests(), watch);
      assertThat(pods.pendingPodsOnNode(node)).extracting(PodSnapshot::name).contains("before-sync", "after-sync");
      PodSnapshot read = pods.readPod(ns.name(), "before-sync");
      pods.patchAnnotations(read, Map.of("volcano.sh/bind-phase", Optional.of("success")));
      assertThat(api.readNamespacedPod("before-sync", ns.name()).execute().getMetadata().getAnnotations())
          .containsEntry("volcano.sh/bind-phase", "success");

      KubeNodeAnnotator annotator = new KubeNodeAnnotator(plugin.requests());
      annotator.patch(node, Map.of("volcano.sh/node-vgpu-register", Optional.of("rbac-check")));
      assertThat(annotator.annotations(node)).containsEntry("volcano.sh/node-vgpu-register", "rbac-check");
      annotator.patch(node, Map.of("volcano.sh/mutex.lock", Optional.of("x")));
      assertThat(pods.releaseNodeLock(node, "volcano.sh/mutex.lock")).isTrue();

      new KubeNodeEvents(plugin.requests(), Clock.systemUTC()).warning(node, "RbacCheck", "rbac check of " + node);
      assertThat(api.listNamespacedEvent("default").fieldSelector("involvedObject.name=" + node).execute()
          .getItems()).extracting(e -> e.getReason()).contains("RbacCheck");
    }
    assertThat(recorded.refusals()).as("requests the API server refused the device plugin's ServiceAccount")
        .isEmpty();
  }

  @Test
  void theSidecarWatchesNodesPodsAndQuotasPatchesPodsAndLeadsWithOnlyTheChartsGrants(
      KubeClients admin, CoreV1Api api, TestNamespace ns) throws Exception {
    RenderedChart chart = RenderedChart.render(ns.name(), Map.of());
    apply(admin.requests(), chart);
    String node = ns.nodeName("rbac-sc");
    api.createNode(KubeFixtures.node(ns, node, Map.of(), Map.of())).execute();
    api.createNamespacedPod(ns.name(), KubeFixtures.pod(ns.name(), "placed", node, Map.of())).execute();

    Recorded recorded = new Recorded();
    KubeClients sidecar = recorded.wrap(clientsOf(admin.requests(), ns.name(), chart.sidecarServiceAccount()));

    try (InformerClusterState state = new InformerClusterState(sidecar.watches());
        KubeResourceQuotas quotas = new KubeResourceQuotas(sidecar.watches())) {
      state.start();
      quotas.start();
      assertThat(state.awaitSynced(WAIT)).as("cluster state synced").isTrue();
      assertThat(quotas.awaitSynced(WAIT)).as("quotas synced").isTrue();
      await().atMost(WAIT).until(() -> state.node(node).map(n -> n.pods().size()).orElse(0) == 1);
      PodView placed = state.node(node).orElseThrow().pods().get(0);
      new KubeAssignmentWriter(sidecar.requests()).patchAnnotations(placed,
          Map.of("volcano.sh/vgpu-node", Optional.of(node)));
      assertThat(api.readNamespacedPod("placed", ns.name()).execute().getMetadata().getAnnotations())
          .containsEntry("volcano.sh/vgpu-node", node);
      // after the first LIST: only a watch brings this one in before the informer's next re-list
      api.createNamespacedPod(ns.name(), KubeFixtures.pod(ns.name(), "second", node, Map.of())).execute();
      await().atMost(WAIT).until(() -> state.node(node).map(n -> n.pods().size()).orElse(0) == 2);
    }
    String lease = chart.sidecarLeaseName();
    try (LeaseLeaderElection election = new LeaseLeaderElection(sidecar.requests(),
        LeaseLeaderElection.Settings.defaults(ns.name(), lease, "rbac-check")).start()) {
      await().atMost(WAIT).until(election::isLeader);
    }
    assertThat(recorded.refusals()).as("requests the API server refused the sidecar's ServiceAccount").isEmpty();
  }

  @Test
  void theApiServerAuthorizesByRbacSoAMissingGrantWouldShow(KubeClients admin, TestNamespace ns)
      throws ApiException {
    V1SubjectAccessReview review = new AuthorizationV1Api(admin.requests()).createSubjectAccessReview(
        new V1SubjectAccessReview().spec(new V1SubjectAccessReviewSpec()
            .user("system:serviceaccount:" + ns.name() + ":nobody")
            .resourceAttributes(new V1ResourceAttributes().verb("list").resource("pods"))))
        .execute();
    assertThat(review.getStatus().getAllowed())
        .as("the test API server lets a ServiceAccount with no binding list pods: it does not authorize by RBAC "
            + "(one started before scripts/k8s-local.sh switched to RBAC? stop it: scripts/k8s-local.sh down)")
        .isFalse();
  }

  /** The ServiceAccounts, (Cluster)Roles and their bindings of the rendered chart, created or replaced. */
  private static void apply(ApiClient client, RenderedChart chart) throws ApiException {
    CoreV1Api core = new CoreV1Api(client);
    RbacAuthorizationV1Api rbac = new RbacAuthorizationV1Api(client);
    for (JsonNode object : chart.objects()) {
      String json = object.toString();
      String name = object.path("metadata").path("name").asText();
      String namespace = object.path("metadata").path("namespace").asText(chart.namespace());
      switch (object.path("kind").asText()) {
        case "ServiceAccount" -> ignoreConflict(() -> core.createNamespacedServiceAccount(namespace,
            client.getJSON().deserialize(json, V1ServiceAccount.class)).execute());
        case "ClusterRole" -> {
          ignoreNotFound(() -> rbac.deleteClusterRole(name).execute());
          rbac.createClusterRole(client.getJSON().deserialize(json, V1ClusterRole.class)).execute();
        }
        case "ClusterRoleBinding" -> {
          ignoreNotFound(() -> rbac.deleteClusterRoleBinding(name).execute());
          rbac.createClusterRoleBinding(client.getJSON().deserialize(json, V1ClusterRoleBinding.class)).execute();
        }
        case "Role" -> {
          ignoreNotFound(() -> rbac.deleteNamespacedRole(name, namespace).execute());
          rbac.createNamespacedRole(namespace, client.getJSON().deserialize(json, V1Role.class)).execute();
        }
        case "RoleBinding" -> {
          ignoreNotFound(() -> rbac.deleteNamespacedRoleBinding(name, namespace).execute());
          rbac.createNamespacedRoleBinding(namespace, client.getJSON().deserialize(json, V1RoleBinding.class))
              .execute();
        }
        default -> {
        }
      }
    }
  }

  /** Clients as the component builds them from a kubeconfig, holding a fresh token of {@code serviceAccount}. */
  private KubeClients clientsOf(ApiClient admin, String namespace, String serviceAccount)
      throws ApiException, IOException {
    String token = new CoreV1Api(admin).createNamespacedServiceAccountToken(serviceAccount, namespace,
        new AuthenticationV1TokenRequest().spec(new V1TokenRequestSpec().audiences(List.of()).expirationSeconds(3600L)))
        .execute().getStatus().getToken();
    Path kubeconfig = dir.resolve(serviceAccount + ".kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: local
          cluster: {server: "%s", insecure-skip-tls-verify: true}
        users:
        - name: %s
          user: {token: "%s"}
        contexts:
        - name: sa
          context: {cluster: local, user: %s}
        current-context: sa
        """.formatted(admin.getBasePath(), serviceAccount, token, serviceAccount));
    return KubeClients.fromKubeconfig(kubeconfig);
  }

  private static List<String> names(Optional<List<PodSnapshot>> pods) {
    return pods.map(list -> list.stream().map(PodSnapshot::name).toList()).orElse(List.of());
  }

  private interface Call {
    void run() throws ApiException;
  }

  private static void ignoreNotFound(Call call) throws ApiException {
    ignore(404, call);
  }

  /** The other test of the class already created it (same namespace, same chart). */
  private static void ignoreConflict(Call call) throws ApiException {
    ignore(409, call);
  }

  private static void ignore(int code, Call call) throws ApiException {
    try {
      call.run();
    } catch (ApiException e) {
      if (e.getCode() != code) {
        throw e;
      }
    }
  }

  /** Every 401/403 the API server answered, as {@code METHOD path?query -> code}. */
  private static final class Recorded {
    private final List<String> refusals = new CopyOnWriteArrayList<>();

    KubeClients wrap(KubeClients clients) {
      return new KubeClients(wrap(clients.requests()), wrap(clients.watches()));
    }

    private ApiClient wrap(ApiClient client) {
      Interceptor record = chain -> {
        Response response = chain.proceed(chain.request());
        if (response.code() == 401 || response.code() == 403) {
          refusals.add(chain.request().method() + " " + chain.request().url().encodedPath() + "?"
              + chain.request().url().encodedQuery() + " -> " + response.code());
        }
        return response;
      };
      return client.setHttpClient(client.getHttpClient().newBuilder().addInterceptor(record).build());
    }

    List<String> refusals() {
      return List.copyOf(refusals);
    }
  }
}
