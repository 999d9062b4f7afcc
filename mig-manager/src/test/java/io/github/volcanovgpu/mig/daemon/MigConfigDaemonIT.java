package io.github.volcanovgpu.mig.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.volcanovgpu.bridge.kube.KubeFixtures;
import io.github.volcanovgpu.bridge.kube.RealApiServer;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.mig.gpu.FakeMigGpus;
import io.github.volcanovgpu.mig.layout.MigConfigCodec;
import io.github.volcanovgpu.mig.profile.ProfileCatalogue;
import io.github.volcanovgpu.mig.reconcile.MigReconciler;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.util.PatchUtils;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The daemon against a real kube-apiserver: label in, layout applied, state label out. */
@RealApiServer
class MigConfigDaemonIT {
  private final ApiClient client;
  private final CoreV1Api api;
  private final TestNamespace ns;

  MigConfigDaemonIT(ApiClient client, CoreV1Api api, TestNamespace ns) {
    this.client = client;
    this.api = api;
    this.ns = ns;
  }

  private void label(String node, String key, String value) throws Exception {
    String body = "{\"metadata\":{\"labels\":{\"" + key + "\":\"" + value + "\"}}}";
    PatchUtils.patch(V1Node.class, () -> api.patchNode(node, new V1Patch(body)).buildCall(null),
        V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client);
  }

  private String state(String node) throws Exception {
    Map<String, String> l = api.readNode(node).execute().getMetadata().getLabels();
    return l == null ? "" : l.getOrDefault(MigConfigDaemon.STATE_LABEL, "");
  }

  @Test
  void daemonAppliesTheLabelledConfigAndReportsTheState() throws Exception {
    String node = ns.nodeName("mig");
    KubeFixtures.createNode(api, KubeFixtures.node(ns, node, Map.of(), Map.of("cpu", "4")));
    ProfileCatalogue catalogue = ProfileCatalogue.builtIn();
    FakeMigGpus gpus = new FakeMigGpus();
    int gpu = gpus.addGpu(catalogue.byName("H100-80GB").orElseThrow(), "GPU-h");
    MigReconciler reconciler = new MigReconciler(gpus, catalogue);
    MigConfigDaemon daemon = new MigConfigDaemon(new KubeNodeLabels(client, node),
        new MigConfigCodec().parse(MigConfigDaemonTest.CONFIG.replace("1g.5gb", "1g.10gb")
            .replace("3g.20gb", "3g.40gb")),
        reconciler);
    Thread loop = new Thread(() -> daemon.run(Duration.ofMillis(100)), "mig-daemon-it");
    loop.start();
    try {
      label(node, MigConfigDaemon.CONFIG_LABEL, "all-3g.40gb");
      await().atMost(Duration.ofSeconds(20)).until(() -> state(node).equals("success"));
      assertThat(reconciler.currentLayout(gpu)).isEqualTo(Map.of("3g.40gb", 2));

      gpus.setRunningClients(gpu, true);
      label(node, MigConfigDaemon.CONFIG_LABEL, "all-1g.10gb");
      await().atMost(Duration.ofSeconds(20)).until(() -> state(node).equals("failed"));
      assertThat(reconciler.currentLayout(gpu)).isEqualTo(Map.of("3g.40gb", 2));

      gpus.setRunningClients(gpu, false);
      await().atMost(Duration.ofSeconds(20)).until(() -> state(node).equals("success"));
      assertThat(reconciler.currentLayout(gpu)).isEqualTo(Map.of("1g.10gb", 7));
      assertThat(api.readNode(node).execute().getMetadata().getLabels()).containsAllEntriesOf(ns.ownerLabels());
    } finally {
      loop.interrupt();
      loop.join(5000);
    }
  }

  @Test
  void missingNodeIsAClearError() {
    KubeNodeLabels labels = new KubeNodeLabels(client, ns.nodeName("ghost"));
    assertThatThrownBy(labels::labels).isInstanceOf(NodeLabels.NodeLabelException.class)
        .hasMessageContaining("cannot read node " + ns.nodeName("ghost")).hasMessageContaining("HTTP 404");
  }
}
