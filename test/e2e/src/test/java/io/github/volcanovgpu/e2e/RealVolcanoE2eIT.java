package io.github.volcanovgpu.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.github.volcanovgpu.bridge.kube.RealApiServer;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.contract.annotation.PodDevicesCodec;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.PodDevices;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The REAL Volcano schedules vcjobs through our sidecar: vc-controller-manager turns vcjobs into PodGroups and pods,
 * vc-scheduler (configured with exactly the scheduler configuration the chart renders) calls the sidecar (started
 * by the launcher with the chart's arguments) as its {@code extender} and binds the pods; each node is the real
 * device plugin on fake cards behind the test kubelet, which admits bound pods through Allocate. Everything is read
 * back from the API server. No kubelet, no mocks of Volcano.
 *
 * <p>Negative scenarios wait for proof that Volcano ran a scheduling cycle over the job (the PodGroup's
 * {@code Unschedulable} condition, then more finished cycles in vc-scheduler's own metrics) before asserting nothing
 * was bound.
 */
@RealApiServer
@ExtendWith(RealVolcano.Available.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealVolcanoE2eIT {
  private static final String A100 = "NVIDIA A100-SXM4-40GB";
  private static final long CARD_MIB = 8192;
  private static final String TEST_LABEL = "e2e.volcano-vgpu.io/real-volcano";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final AtomicInteger SEQ = new AtomicInteger();

  private final ApiClient client;
  private final KubeClients kube;
  private final CoreV1Api api;
  private final TestNamespace ns;
  private final Path kubeconfig;
  private final Probe probe = Probe.locate();
  private final List<GpuNode> nodes = new ArrayList<>();
  private RealVolcano volcano;
  private LaunchedSidecar sidecar;
  private int sidecarPort;
  private ChartScheduling binpackChart;
  private String testLabel;

  RealVolcanoE2eIT(ApiClient client, KubeClients kube, CoreV1Api api, TestNamespace ns, Path kubeconfig) {
    this.client = client;
    this.kube = kube;
    this.api = api;
    this.ns = ns;
    this.kubeconfig = kubeconfig;
  }

  @BeforeAll
  void startVolcanoAndTheSidecar() throws Exception {
    RealVolcano.Build build = RealVolcano.build();
    RealVolcano.installCrds(client, build.crds());
    sidecarPort = RealVolcano.freePort();
    binpackChart = ChartScheduling.render("http://127.0.0.1:" + sidecarPort, "binpack");
    // the release's namespace, where the chart's sidecar keeps its leader-election Lease (helm creates it)
    for (String namespace : binpackChart.leaseNamespace().stream().toList()) {
      try {
        api.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name(namespace))).execute();
      } catch (ApiException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
    }
    sidecar = LaunchedSidecar.start(binpackChart, sidecarPort, kubeconfig, "binpack");
    volcano = RealVolcano.start(build, kubeconfig, binpackChart.schedulerConf(), Duration.ofSeconds(1));
    // vc-scheduler creates the default queue, vc-controller-manager's queue controller opens it
    slow().alias("queue 'default' Open (vc-scheduler creates it, the queue controller opens it)").until(() -> {
      try {
        Map<?, ?> q = (Map<?, ?>) new CustomObjectsApi(client).getClusterCustomObject("scheduling.volcano.sh",
            "v1beta1", "queues", "default").execute();
        Object status = q.get("status");
        return status instanceof Map<?, ?> s && "Open".equals(s.get("state"));
      } catch (ApiException e) {
        return false;
      }
    });
  }

  @AfterAll
  void stopVolcanoAndTheSidecar() {
    if (volcano != null) {
      volcano.close();
    }
    if (sidecar != null) {
      sidecar.close();
    }
  }

  @AfterEach
  void removeTheTestsNodesAndPods() throws Exception {
    for (GpuNode n : nodes) {
      n.close();
      try {
        api.deleteNode(n.name()).gracePeriodSeconds(0).execute();
      } catch (ApiException e) {
        if (e.getCode() != 404) {
          throw e;
        }
      }
    }
    nodes.clear();
    CustomObjectsApi custom = new CustomObjectsApi(client);
    custom.deleteCollectionNamespacedCustomObject("batch.volcano.sh", "v1alpha1", ns.name(), "jobs").execute();
    // no garbage collector runs: the jobs' PodGroups would stay and Volcano would keep a job for each
    custom.deleteCollectionNamespacedCustomObject("scheduling.volcano.sh", "v1beta1", ns.name(), "podgroups")
        .execute();
    api.deleteCollectionNamespacedPod(ns.name()).gracePeriodSeconds(0).execute();
  }

  /** Generous: the machine has 2 cores shared with other builds. */
  private static ConditionFactory slow() {
    return await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250));
  }

  // ---------------------------------------------------------------------------------------------------------------

  @Test
  void aGangThatFitsIsBoundWholeWithTheSidecarsAnnotationsAndAdmitted() throws Exception {
    GpuNode node = node("fit", 2);
    long predicatesBefore = sidecar.requests("predicate");

    List<V1Pod> pods = submitAndAwaitBound("fits", 3, gpu("main", 1, 3000, 30));

    Map<String, Long> memoryPerCard = new HashMap<>();
    for (V1Pod pod : pods) {
      assertThat(pod.getSpec().getNodeName()).isEqualTo(node.name());
      Map<String, String> a = pod.getMetadata().getAnnotations();
      assertThat(a).containsEntry(VgpuAnnotations.VGPU_NODE, node.name());
      PodDevices devices = PodDevicesCodec.decodeStrict(a.get(VgpuAnnotations.VGPU_IDS_NEW));
      assertThat(devices.containers()).hasSize(1);
      DeviceSlice slice = devices.containers().get(0).get(0);
      assertThat(node.card(slice.uuid())).isNotNull();
      assertThat(slice.memoryUnits()).isEqualTo(3000);
      assertThat(slice.coresPercent()).isEqualTo(30);
      memoryPerCard.merge(slice.uuid(), slice.memoryUnits(), Long::sum);
    }
    assertThat(memoryPerCard.values()).allSatisfy(m -> assertThat(m).isLessThanOrEqualTo(CARD_MIB));
    // the device plugin's Allocate (through the node's kubelet) finishes the handshake: bind-phase success
    for (V1Pod pod : pods) {
      slow().alias("bind-phase success on " + pod.getMetadata().getName())
          .until(() -> VgpuAnnotations.BIND_PHASE_SUCCESS.equals(annotations(pod).get(VgpuAnnotations.BIND_PHASE)));
      ContainerAllocateResponse r = node.kubelet().responses(pod.getMetadata().getUid()).get("main");
      assertThat(r.getEnvsMap()).containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "3000m")
          .containsEntry("CUDA_DEVICE_SM_LIMIT", "30");
    }
    assertThat(sidecar.requests("predicate")).isGreaterThan(predicatesBefore);
    assertThat(sidecar.requests("allocate")).isPositive();
  }

  @Test
  void aGangThatDoesNotFitBindsNoPodAndItsPodGroupSaysWhy() throws Exception {
    // 3 x 5000 MiB: Volcano's own count (15000 of 16384 vgpu-memory) lets it through, only one fits per 8 GiB card
    GpuNode node = node("nofit", 2);
    String job = submit("nofit", 3, gpu("main", 1, 5000, 10));

    Map<String, Object> condition = awaitUnschedulable(job);
    assertThat(condition).as("the PodGroup's Unschedulable condition").containsEntry("reason", "NotEnoughResources");
    assertThat(String.valueOf(condition.get("message"))).contains("gang unschedulable");
    awaitMoreCycles(2);

    List<V1Pod> pods = podsOf(job);
    assertThat(pods).hasSize(3);
    assertThat(pods).allSatisfy(p -> assertThat(p.getSpec().getNodeName()).as("pod %s bound",
        p.getMetadata().getName()).isNull());
    Object phase = podGroup(job).map(pg -> ((Map<?, ?>) pg.get("status")).get("phase")).orElse(null);
    assertThat(String.valueOf(phase)).isIn("Pending", "Inqueue");
    // what the gang tried is rolled back: nothing stays reserved on the node's cards
    slow().alias("no memory left allocated on " + node.name()).until(() -> sidecar.allocatedMemory(node.name())
        == 0);
  }

  @Test
  void binpackPutsTheSecondPodOnTheFirstPodsCard() throws Exception {
    useSidecar("binpack");
    node("bp-a", 2);
    node("bp-b", 2);

    V1Pod first = submitAndAwaitBound("bp1", 1, gpu("main", 1, 2000, 10)).get(0);
    V1Pod second = submitAndAwaitBound("bp2", 1, gpu("main", 1, 2000, 10)).get(0);

    assertThat(second.getSpec().getNodeName()).isEqualTo(first.getSpec().getNodeName());
    assertThat(card(second)).isEqualTo(card(first));
  }

  @Test
  void spreadPutsTheSecondPodOnAnUnusedCardOfTheOtherNode() throws Exception {
    // the policy orders and scores cards (HAMi's GPU policy): one card per node makes the unused card the other
    // node's, so the extender's score (100 vs 0) has to outweigh what Volcano's own nodeorder and binpack plugins
    // add for the node that already runs a pod
    useSidecar("spread");
    node("sp-a", 1);
    node("sp-b", 1);

    V1Pod first = submitAndAwaitBound("sp1", 1, gpu("main", 1, 2000, 10)).get(0);
    V1Pod second = submitAndAwaitBound("sp2", 1, gpu("main", 1, 2000, 10)).get(0);

    assertThat(second.getSpec().getNodeName()).isNotEqualTo(first.getSpec().getNodeName());
    assertThat(card(second)).isNotEqualTo(card(first));
  }

  @Test
  void aMultiContainerPodGetsOneShareForEachGpuContainerAndNoneForThePlainOne() throws Exception {
    GpuNode node = node("multi", 2);

    V1Pod pod = submitAndAwaitBound("multi", 1, plain("sidecar") + gpu("trainer", 1, 2000, 20)
        + gpu("evaluator", 1, 1000, 10)).get(0);

    // as Volcano's vgpu encodes it (ExtractResourceRequest): one entry per container that asks for GPUs, in order
    PodDevices devices = PodDevicesCodec.decodeStrict(pod.getMetadata().getAnnotations()
        .get(VgpuAnnotations.VGPU_IDS_NEW));
    assertThat(devices.containers()).hasSize(2);
    assertThat(devices.containers().get(0)).singleElement().satisfies(s -> {
      assertThat(s.memoryUnits()).isEqualTo(2000);
      assertThat(s.coresPercent()).isEqualTo(20);
    });
    assertThat(devices.containers().get(1)).singleElement().satisfies(s -> {
      assertThat(s.memoryUnits()).isEqualTo(1000);
      assertThat(s.coresPercent()).isEqualTo(10);
    });
    slow().alias("admitted by the node").until(() -> node.kubelet().admitted(pod.getMetadata().getUid()));
    Map<String, ContainerAllocateResponse> r = node.kubelet().responses(pod.getMetadata().getUid());
    assertThat(r).doesNotContainKey("sidecar");
    assertThat(r.get("trainer").getEnvsMap()).containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "2000m");
    assertThat(r.get("evaluator").getEnvsMap()).containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", "1000m");
  }

  @Test
  void aNodeDeletedWhileVolcanoRunsLosesNoShareAndSchedulingCarriesOn() throws Exception {
    GpuNode a = node("del-a", 1);
    GpuNode b = node("del-b", 1);
    String lostJob = submit("del1", 1, gpu("main", 1, 6000, 10));
    V1Pod lost = awaitBound(lostJob, 1).get(0);
    V1Pod other = submitAndAwaitBound("del2", 1, gpu("main", 1, 6000, 10)).get(0);
    assertThat(other.getSpec().getNodeName()).as("6000 + 6000 MiB do not share one 8 GiB card")
        .isNotEqualTo(lost.getSpec().getNodeName());
    GpuNode gone = lost.getSpec().getNodeName().equals(a.name()) ? a : b;
    GpuNode kept = gone == a ? b : a;

    // the node goes away while Volcano's sessions run; then what kube-controller-manager's pod garbage collector
    // does with pods whose node is gone (none runs here)
    gone.close();
    nodes.remove(gone);
    api.deleteNode(gone.name()).gracePeriodSeconds(0).execute();
    api.deleteCollectionNamespacedPod(ns.name()).fieldSelector("spec.nodeName=" + gone.name()).gracePeriodSeconds(0)
        .execute();

    // the job controller recreates the lost pod; the kept card has 2192 MiB left, so it must wait
    slow().alias("the job controller recreates " + lostJob + "'s pod").until(() -> podsOf(lostJob).stream()
        .anyMatch(p -> !p.getMetadata().getUid().equals(lost.getMetadata().getUid())));
    awaitMoreCycles(3);
    assertThat(podsOf(lostJob)).singleElement().satisfies(p -> assertThat(p.getSpec().getNodeName())
        .as("the recreated pod is not double-assigned to the kept card").isNull());
    assertThat(sidecar.allocatedMemory(kept.name())).as("the kept card's ledger").isEqualTo(6000);
    assertThat(annotations(other)).containsEntry(VgpuAnnotations.VGPU_IDS_NEW,
        other.getMetadata().getAnnotations().get(VgpuAnnotations.VGPU_IDS_NEW));

    // carrying on: a new node joins and the recreated pod gets its share there
    GpuNode added = node("del-c", 1);
    V1Pod again = awaitBound(lostJob, 1).get(0);
    assertThat(again.getSpec().getNodeName()).isEqualTo(added.name());
    assertThat(slice(again).memoryUnits()).isEqualTo(6000);
    assertThat(added.card(slice(again).uuid())).isNotNull();
    slow().alias("bind-phase success on the recreated pod").until(() -> VgpuAnnotations.BIND_PHASE_SUCCESS
        .equals(annotations(again).get(VgpuAnnotations.BIND_PHASE)));
    assertThat(volcano.alive()).as("vc-scheduler and vc-controller-manager still run").isTrue();
    assertThat(sidecar.alive()).as("the sidecar still runs").isTrue();
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** The sidecar with {@code policy}, on the port the scheduler conf names; restarted when the policy differs. */
  private void useSidecar(String policy) throws Exception {
    if (sidecar.policy().equals(policy)) {
      return;
    }
    ChartScheduling chart = ChartScheduling.render("http://127.0.0.1:" + sidecarPort, policy);
    // the policy is the sidecar's flag: the chart's Volcano configuration does not change with it
    assertThat(chart.schedulerConf()).isEqualTo(binpackChart.schedulerConf());
    assertThat(chart.sidecarArgs()).contains("--policy=" + policy);
    sidecar.close();
    sidecar = LaunchedSidecar.start(chart, sidecarPort, kubeconfig, policy);
  }

  /** A GPU node of this test: {@code cards} x 8 GiB, labelled so that only this test's pods go there. */
  private GpuNode node(String suffix, int cards) throws Exception {
    testLabel = testLabel == null ? "t" + SEQ.incrementAndGet() : testLabel;
    GpuNode n = GpuNode.start(client, kube, ns, ns.nodeName("rv-" + suffix), Map.of(TEST_LABEL, labelValue()), cards,
        A100, CARD_MIB, DeviceConfig.parse(binpackChart.deviceConfigYaml(), "the chart's device-config.yaml"),
        probe.library());
    nodes.add(n);
    return n;
  }

  private String labelValue() {
    return ns.name() + "-" + testLabel;
  }

  @AfterEach
  void nextTestsLabel() {
    testLabel = null;
  }

  static String gpu(String name, int count, long memoryMib, int cores) {
    return """
        - name: %s
          image: example.invalid/none:1
          resources:
            requests: {cpu: 100m, memory: 64Mi}
            limits: {volcano.sh/vgpu-number: %d, volcano.sh/vgpu-memory: %d, volcano.sh/vgpu-cores: %d}
        """.formatted(name, count, memoryMib, cores);
  }

  static String plain(String name) {
    return """
        - name: %s
          image: example.invalid/none:1
          resources:
            requests: {cpu: 100m, memory: 64Mi}
        """.formatted(name);
  }

  /** Creates a vcjob of {@code replicas} pods (all of them the gang) in the default queue; returns its name. */
  private String submit(String prefix, int replicas, String containers) throws Exception {
    String name = prefix + "-" + SEQ.incrementAndGet();
    String yaml = """
        apiVersion: batch.volcano.sh/v1alpha1
        kind: Job
        metadata: {name: %s, namespace: %s}
        spec:
          schedulerName: volcano
          queue: default
          minAvailable: %d
          tasks:
          - name: worker
            replicas: %d
            template:
              spec:
                schedulerName: volcano
                restartPolicy: Never
                nodeSelector: {"%s": "%s"}
                containers:
        %s""".formatted(name, ns.name(), replicas, replicas, TEST_LABEL, labelValue(), containers.indent(8));
    Object body = YAML.readValue(yaml, Map.class);
    new CustomObjectsApi(client).createNamespacedCustomObject("batch.volcano.sh", "v1alpha1", ns.name(), "jobs",
        body).execute();
    return name;
  }

  private List<V1Pod> submitAndAwaitBound(String prefix, int replicas, String containers) throws Exception {
    return awaitBound(submit(prefix, replicas, containers), replicas);
  }

  /** Waits until the job controller created {@code count} pods and Volcano bound every one of them. */
  private List<V1Pod> awaitBound(String job, int count) {
    List<List<V1Pod>> holder = new ArrayList<>(List.of(List.of()));
    try {
      slow().alias(count + " pods of " + job + " bound").until(() -> {
        List<V1Pod> pods = podsOf(job);
        holder.set(0, pods);
        return pods.size() == count && pods.stream().allMatch(p -> p.getSpec().getNodeName() != null);
      });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + "; pods " + holder.get(0).stream()
          .map(p -> p.getMetadata().getName() + "@" + p.getSpec().getNodeName()).toList()
          + "; PodGroup " + podGroupQuietly(job) + "\n--- vc-scheduler:\n" + volcano.tail("vc-scheduler", 30)
          + "\n--- sidecar:\n" + sidecar.tail(30), e);
    }
    return holder.get(0);
  }

  private List<V1Pod> podsOf(String job) throws ApiException {
    return api.listNamespacedPod(ns.name()).labelSelector("volcano.sh/job-name=" + job).execute().getItems();
  }

  private Map<String, String> annotations(V1Pod pod) throws ApiException {
    Map<String, String> a = api.readNamespacedPod(pod.getMetadata().getName(), ns.name()).execute().getMetadata()
        .getAnnotations();
    return a == null ? Map.of() : a;
  }

  private static DeviceSlice slice(V1Pod pod) {
    return PodDevicesCodec.decodeStrict(pod.getMetadata().getAnnotations().get(VgpuAnnotations.VGPU_IDS_NEW))
        .containers().get(0).get(0);
  }

  private static String card(V1Pod pod) {
    return slice(pod).uuid();
  }

  /** The job's PodGroup (the job controller names it after the job and owns it). */
  private Optional<Map<String, Object>> podGroup(String job) throws ApiException {
    Map<?, ?> list = (Map<?, ?>) new CustomObjectsApi(client).listNamespacedCustomObject("scheduling.volcano.sh",
        "v1beta1", ns.name(), "podgroups").execute();
    for (Object item : (List<?>) list.get("items")) {
      Map<?, ?> meta = (Map<?, ?>) ((Map<?, ?>) item).get("metadata");
      Object owners = meta.get("ownerReferences");
      if (owners instanceof List<?> l && l.stream().anyMatch(o -> job.equals(((Map<?, ?>) o).get("name")))) {
        @SuppressWarnings("unchecked")
        Map<String, Object> pg = (Map<String, Object>) item;
        return Optional.of(pg);
      }
    }
    return Optional.empty();
  }

  private String podGroupQuietly(String job) {
    try {
      return podGroup(job).map(pg -> String.valueOf(pg.get("status"))).orElse("(none)");
    } catch (ApiException e) {
      return "(" + e.getCode() + ")";
    }
  }

  /** Waits until vc-scheduler finished {@code n} more scheduling cycles (its own metrics say so). */
  private void awaitMoreCycles(int n) throws InterruptedException {
    long seen = volcano.sessions();
    slow().alias(n + " more vc-scheduler cycles after " + seen).until(() -> volcano.sessions() >= seen + n);
  }

  /** Waits for the job's PodGroup to carry {@code Unschedulable=True}: Volcano ran a cycle and could not place it. */
  private Map<String, Object> awaitUnschedulable(String job) {
    List<Map<String, Object>> found = new ArrayList<>();
    slow().alias("PodGroup of " + job + " Unschedulable").until(() -> {
      Optional<Map<String, Object>> pg = podGroup(job);
      if (pg.isEmpty() || !(pg.get().get("status") instanceof Map<?, ?> status)
          || !(status.get("conditions") instanceof List<?> conditions)) {
        return false;
      }
      for (Object c : conditions) {
        Map<?, ?> m = (Map<?, ?>) c;
        if ("Unschedulable".equals(m.get("type")) && "True".equals(m.get("status"))) {
          @SuppressWarnings("unchecked")
          Map<String, Object> cond = (Map<String, Object>) m;
          found.add(cond);
          return true;
        }
      }
      return false;
    });
    return found.get(found.size() - 1);
  }
}
