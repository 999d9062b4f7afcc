package io.github.volcanovgpu.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.kube.KubeFixtures;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.EventResult;
import io.github.volcanovgpu.bridge.scheduling.PredicateResult;
import io.github.volcanovgpu.bridge.scheduling.PrioritizeResult;
import io.github.volcanovgpu.bridge.simulate.ExtenderClient;
import io.github.volcanovgpu.bridge.simulate.HttpExtenderClient;
import io.github.volcanovgpu.bridge.simulate.SessionDriver;
import io.github.volcanovgpu.bridge.simulate.VcJob;
import io.github.volcanovgpu.bridge.simulate.VolcanoRequests;
import io.github.volcanovgpu.contract.annotation.NodeRegistrationCodec;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.mig.gpu.FakeMigGpus;
import io.github.volcanovgpu.mig.profile.ProfileCatalogue;
import io.github.volcanovgpu.plugin.DevicePlugin;
import io.github.volcanovgpu.plugin.cdi.DeviceListSettings;
import io.github.volcanovgpu.plugin.device.DeviceBackend;
import io.github.volcanovgpu.plugin.mig.MigMinorsFile;
import io.github.volcanovgpu.plugin.mig.MigStrategy;
import io.github.volcanovgpu.plugin.register.NodeConfig;
import io.github.volcanovgpu.plugin.vendor.ascend.AscendBackend;
import io.github.volcanovgpu.plugin.vendor.ascend.AscendSettings;
import io.github.volcanovgpu.plugin.vendor.ascend.FakeDcmiPort;
import io.github.volcanovgpu.plugin.vendor.nvidia.NvidiaBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.FakeGpuBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.FakeMigBackend;
import io.github.volcanovgpu.plugin.vendor.vastai.DeviceStrategy;
import io.github.volcanovgpu.plugin.vendor.vastai.FakeVastaiPort;
import io.github.volcanovgpu.plugin.vendor.vastai.VastaiBackend;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * One test's cluster: the API server (shared), the sidecar over HTTP, GPU nodes (device plugin + test kubelet) and a
 * Volcano session driver over a {@link KubeSessionCluster}. Node names are unique per stack ({@code <ns>-<tag>-<n>}).
 */
final class E2eStack implements AutoCloseable {
  static final String NUMBER = "volcano.sh/vgpu-number";
  static final String MEMORY = "volcano.sh/vgpu-memory";
  static final String CORES = "volcano.sh/vgpu-cores";

  private final ApiClient client;
  private final KubeClients kube;
  private final CoreV1Api api;
  private final TestNamespace ns;
  private final String tag;
  private final SchedulingPolicy policy;
  private final DeviceConfig config;
  private final Probe probe = Probe.locate();
  private final List<GpuNode> nodes = new ArrayList<>();
  private final List<KindNode> kindNodes = new ArrayList<>();
  private final KubeSessionCluster cluster;
  private final ExecutorService workers = Executors.newFixedThreadPool(16);
  private final SwitchableClient extender = new SwitchableClient();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private Sidecar sidecar;

  E2eStack(ApiClient client, KubeClients kube, CoreV1Api api, TestNamespace ns, String tag, SchedulingPolicy policy)
      throws Exception {
    this(client, kube, api, ns, tag, policy, DeviceConfig.defaults());
  }

  /** @param config the sidecar's device config (what it reads from the volcano-vgpu-device-config ConfigMap) */
  E2eStack(ApiClient client, KubeClients kube, CoreV1Api api, TestNamespace ns, String tag, SchedulingPolicy policy,
      DeviceConfig config) throws Exception {
    this.config = config;
    this.client = client;
    this.kube = kube;
    this.api = api;
    this.ns = ns;
    this.tag = tag;
    this.policy = policy;
    this.cluster = new KubeSessionCluster(api);
    startSidecar();
  }

  private void startSidecar() throws Exception {
    sidecar = Sidecar.start(kube, policy, config);
    extender.target = new HttpExtenderClient(http, sidecar.url(), new VolcanoRequests(Instant.now()),
        Duration.ofSeconds(30));
  }

  /** Stops the sidecar (its in-memory ledger and reservations are lost) and starts a fresh one on the same API. */
  void restartSidecar() throws Exception {
    sidecar.close();
    startSidecar();
  }

  Sidecar sidecar() {
    return sidecar;
  }

  CoreV1Api api() {
    return api;
  }

  TestNamespace ns() {
    return ns;
  }

  Probe probe() {
    return probe;
  }

  KubeSessionCluster cluster() {
    return cluster;
  }

  /** A fresh Volcano session driver (16 predicate workers, node names only: the sidecar has its cache). */
  SessionDriver driver() {
    return new SessionDriver(extender, cluster, workers, false);
  }

  /** YAML for {@link FakeGpuBackend}: {@code count} cards of the model and memory, UUIDs unique to the node. */
  static String cards(String node, int count, String model, long memoryMib) {
    StringBuilder sb = new StringBuilder("gpus:\n");
    for (int i = 0; i < count; i++) {
      sb.append("  - uuid: GPU-").append(UUID.nameUUIDFromBytes((node + "/" + i).getBytes(StandardCharsets.UTF_8)))
          .append("\n    model: ").append(model).append("\n    memoryMib: ").append(memoryMib)
          .append("\n    minor: ").append(i).append('\n');
    }
    return sb.toString();
  }

  GpuNode addNode(String suffix, int count, String model, long memoryMib) throws Exception {
    return addNode(suffix, count, model, memoryMib, DeviceListSettings.envvar());
  }

  /** Creates the Node, starts its test kubelet and the real device plugin on fake cards; waits until registered. */
  GpuNode addNode(String suffix, int count, String model, long memoryMib, DeviceListSettings list)
      throws Exception {
    String name = ns.nodeName(tag + "-" + suffix);
    KubeFixtures.createNode(api, KubeFixtures.node(ns, name, Map.of(), Map.of("cpu", "32", "pods", "110")));
    String yaml = cards(name, count, model, memoryMib);
    FakeGpuBackend gpus = FakeGpuBackend.fromYaml(yaml, name);
    List<GpuNode.Card> cards = new ArrayList<>();
    gpus.discover().forEach(g -> cards.add(new GpuNode.Card(g.uuid(), g.model(), g.memoryMib())));
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "e2e");
    Path hook = Files.createTempDirectory("e2e-hook");
    Files.createSymbolicLink(hook.resolve("libvgpu.so"), probe.library());
    E2eKubelet kubelet = new E2eKubelet(name, ns.name(), client, dir, List.of(NUMBER, MEMORY, CORES));
    DevicePlugin plugin = DevicePlugin.start(new DevicePlugin.Options(name, dir, DeviceConfig.defaults(),
        NodeConfig.empty(), Duration.ofSeconds(30), Map.of()),
        List.of(new NvidiaBackend(gpus, null,
            NvidiaBackend.Settings.defaults(hook).withDeviceList(list))),
        new DevicePlugin.Cluster.Api(client, kube.watches()), new SimpleMeterRegistry(), Clock.systemUTC());
    GpuNode node = new GpuNode(name, gpus, plugin, kubelet, cards);
    nodes.add(node);
    await().atMost(Duration.ofSeconds(20)).until(() -> registered(name).size() == count
        && kubelet.sockets().devices(NUMBER).size() > 0
        && sidecar.cache().node(name).map(n -> n.annotations().containsKey(VgpuAnnotations.NODE_REGISTER)
            && positive(n.allocatable().get(NUMBER)) && positive(n.allocatable().get(MEMORY))
            && positive(n.allocatable().get(CORES))).orElse(false));
    cluster.addNode(name);
    return node;
  }

  /**
   * A node in MIG operating mode ({@code config.json}: {@code operatingmode: mig}) with one A100-40GB of a fake MIG
   * machine (mig-manager's {@link FakeMigGpus}; the plugin's cards derived from it), MIG off at start: the device
   * plugin applies the scheduled group's layout on Allocate.
   */
  GpuNode addMigNode(String suffix, FakeMigGpus machine) throws Exception {
    String name = ns.nodeName(tag + "-" + suffix);
    KubeFixtures.createNode(api, KubeFixtures.node(ns, name, Map.of(), Map.of("cpu", "32", "pods", "110")));
    machine.addGpu(ProfileCatalogue.builtIn().byName("A100-40GB").orElseThrow(),
        "GPU-" + UUID.nameUUIDFromBytes((name + "/0").getBytes(StandardCharsets.UTF_8)));
    FakeMigBackend backend = new FakeMigBackend(machine);
    List<GpuNode.Card> cards = new ArrayList<>();
    backend.discover().forEach(g -> cards.add(new GpuNode.Card(g.uuid(), g.model(), g.memoryMib())));
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "e2e");
    Path hook = Files.createTempDirectory("e2e-hook");
    Path minors = Files.writeString(hook.resolve("mig-minors"), MigMinorsFile.synthetic(machine.gpus().size()));
    E2eKubelet kubelet = new E2eKubelet(name, ns.name(), client, dir, List.of(NUMBER, MEMORY, CORES));
    NodeConfig mig = NodeConfig.parse("{\"nodeconfig\":[{\"name\":\"" + name + "\",\"operatingmode\":\"mig\"}]}",
        "e2e mig node");
    DevicePlugin plugin = DevicePlugin.start(new DevicePlugin.Options(name, dir, config, mig, Duration.ofSeconds(30),
        Map.of()),
        List.of(new NvidiaBackend(backend, () -> machine, NvidiaBackend.Settings.defaults(hook)
            .withMig(MigStrategy.NONE, MigMinorsFile.reader(minors)))),
        new DevicePlugin.Cluster.Api(client, kube.watches()), new SimpleMeterRegistry(), Clock.systemUTC());
    GpuNode node = new GpuNode(name, backend, plugin, kubelet, cards);
    nodes.add(node);
    considerNode(name);
    return node;
  }

  private static boolean positive(@Nullable String quantity) {
    return quantity != null && io.github.volcanovgpu.bridge.model.Quantities.value(quantity) > 0;
  }

  /**
   * An Ascend node: the real device plugin on a fake DCMI machine ({@code 910Cx16}, {@code 910B3x8},
   * {@code 310P3x4}), hami-core or template by its node config, behind a test kubelet; waits until the sidecar sees
   * its registration and its count resource, then schedules to it. libvgpu is its limiter (the hook dir holds it).
   */
  KindNode addAscendNode(String suffix, String fixture, String commonWord, boolean hamiCore) throws Exception {
    String name = ns.nodeName(tag + "-" + suffix);
    FakeDcmiPort port = FakeDcmiPort.fixture(fixture, name);
    Path hook = Files.createTempDirectory("e2e-npu-hook");
    Files.createSymbolicLink(hook.resolve("libvgpu.so"), probe.library());
    Files.writeString(hook.resolve("ld.so.preload"), "/hami-vnpu-core/libvgpu.so\n");
    AscendBackend backend = new AscendBackend(port, new AscendSettings(hook, hook.resolve("shared"), List.of(),
        Duration.ZERO), Clock.systemUTC());
    NodeConfig nodeConfig = NodeConfig.parse("{\"nodeconfig\":[{\"name\":\"" + name + "\",\"hami-vnpu-core\":"
        + hamiCore + "}]}", "e2e ascend node");
    String resource = "huawei.com/" + commonWord;
    return startKindNode(name, backend, nodeConfig, List.of(resource,
        io.github.volcanovgpu.contract.annotation.AscendAnnotations.ALIAS_COUNT),
        io.github.volcanovgpu.contract.annotation.HamiAnnotations.nodeRegister(commonWord));
  }

  /** A Vastai node: {@code cardsByDies} as the fake port reads it ({@code 4x2}: 4 cards of 2 dies), card or die. */
  KindNode addVastaiNode(String suffix, String cardsByDies, DeviceStrategy strategy) throws Exception {
    String name = ns.nodeName(tag + "-" + suffix);
    VastaiBackend backend = new VastaiBackend(FakeVastaiPort.fromArgument(cardsByDies, name), strategy, Duration.ZERO,
        Clock.systemUTC());
    return startKindNode(name, backend, NodeConfig.empty(), List.of("vastaitech.com/va"),
        io.github.volcanovgpu.contract.annotation.VastaiAnnotations.NODE_REGISTER);
  }

  /** @param resources the kubelet resources the node serves, its count resource first */
  private KindNode startKindNode(String name, DeviceBackend backend, NodeConfig nodeConfig, List<String> resources,
      String registerKey) throws Exception {
    String resource = resources.get(0);
    KubeFixtures.createNode(api, KubeFixtures.node(ns, name, Map.of(), Map.of("cpu", "32", "pods", "110")));
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "e2e");
    E2eKubelet kubelet = new E2eKubelet(name, ns.name(), client, dir, resources);
    DevicePlugin plugin = DevicePlugin.start(new DevicePlugin.Options(name, dir, config, nodeConfig,
        Duration.ofSeconds(30), Map.of()), List.of(backend), new DevicePlugin.Cluster.Api(client, kube.watches()),
        new SimpleMeterRegistry(), Clock.systemUTC());
    KindNode node = new KindNode(name, backend, plugin, kubelet);
    kindNodes.add(node);
    await().atMost(Duration.ofSeconds(90)).until(() -> kubelet.sockets().devices(resource).size() > 0
        && sidecar.cache().node(name).map(n -> n.annotations().containsKey(registerKey)
            && positive(n.allocatable().get(resource))).orElse(false));
    cluster.addNode(name);
    return node;
  }

  /** Waits until the node's kubelet admitted the placed pod (any kind); its containers' Allocate responses. */
  Map<String, ContainerAllocateResponse> admittedOn(KindNode node, SessionDriver.Placement p) {
    E2eKubelet k = node.kubelet();
    await().atMost(Duration.ofSeconds(20)).until(() -> k.admitted(p.pod().uid())
        || k.failures().containsKey(p.pod().uid()));
    assertThat(k.failures()).doesNotContainKey(p.pod().uid());
    return k.responses(p.pod().uid());
  }

  /**
   * A node without a device plugin or kubelet, only the annotations and allocatable given (a node registered by
   * some other plugin version, or a broken one); the session considers it.
   */
  String addBareNode(String suffix, Map<String, String> annotations, Map<String, String> allocatable)
      throws Exception {
    String name = ns.nodeName(tag + "-" + suffix);
    KubeFixtures.createNode(api, KubeFixtures.node(ns, name, annotations, allocatable));
    await().atMost(Duration.ofSeconds(10)).until(() -> sidecar.cache().node(name).isPresent());
    cluster.addNode(name);
    return name;
  }

  List<io.github.volcanovgpu.contract.device.RegisteredGpu> registered(String node) throws Exception {
    Map<String, String> a = api.readNode(node).execute().getMetadata().getAnnotations();
    String v = a == null ? null : a.get(VgpuAnnotations.NODE_REGISTER);
    return v == null ? List.of() : NodeRegistrationCodec.decode(v);
  }

  KubeClients kube() {
    return kube;
  }

  ApiClient client() {
    return client;
  }

  /** Waits until the sidecar's cache has the node registered with positive vGPU allocatable, then schedules to it. */
  void considerNode(String name) {
    await().atMost(Duration.ofSeconds(90)).until(() -> sidecar.cache().node(name)
        .map(n -> n.annotations().containsKey(VgpuAnnotations.NODE_REGISTER)
            && positive(n.allocatable().get(NUMBER)) && positive(n.allocatable().get(MEMORY))
            && positive(n.allocatable().get(CORES)))
        .orElse(false));
    cluster.addNode(name);
  }

  GpuNode node(String name) {
    return nodes.stream().filter(n -> n.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no GPU node " + name));
  }

  /** Parses a vcjob manifest; {@code NS} in it is replaced by the test namespace. */
  VcJob job(String yaml) throws Exception {
    Path f = Files.createTempFile("vcjob", ".yaml");
    Files.writeString(f, yaml.replace("NS", ns.name()));
    try {
      List<VcJob> jobs = VcJob.read(f);
      assertThat(jobs).hasSize(1);
      VcJob j = jobs.get(0);
      // pod names are unique per stack: the namespace is shared by the test class
      return new VcJob(j.namespace(), tag + "-" + j.name(), j.queue(), j.minAvailable(), j.tasks());
    } finally {
      Files.deleteIfExists(f);
    }
  }

  PodView pod(SessionDriver.Placement p) throws Exception {
    return KubeSessionCluster.view(api.readNamespacedPod(p.pod().name(), p.pod().namespace()).execute());
  }

  /** Waits until the node's kubelet admitted the placed pod; its containers' Allocate responses. */
  Map<String, ContainerAllocateResponse> admitted(SessionDriver.Placement p) {
    E2eKubelet k = node(p.node()).kubelet();
    await().atMost(Duration.ofSeconds(20)).until(() -> k.admitted(p.pod().uid())
        || k.failures().containsKey(p.pod().uid()));
    assertThat(k.failures()).doesNotContainKey(p.pod().uid());
    return k.responses(p.pod().uid());
  }

  /**
   * The process-level limit: for each card of the response, allocating its limit succeeds and one MiB more is
   * refused with CUDA_ERROR_OUT_OF_MEMORY by libvgpu.
   */
  void assertEnforced(GpuNode node, ContainerAllocateResponse r) throws Exception {
    assertEnforced(uuid -> node.card(uuid).memoryMib(), r);
  }

  /** As {@link #assertEnforced(GpuNode, ContainerAllocateResponse)}, the cards' memory given by UUID. */
  void assertEnforced(java.util.function.ToLongFunction<String> cardMib, ContainerAllocateResponse r)
      throws Exception {
    String visible = r.getEnvsMap().getOrDefault("NVIDIA_VISIBLE_DEVICES", "");
    List<String> uuids = List.of(visible.split(","));
    int checked = 0;
    for (int i = 0; i < uuids.size(); i++) {
      String limit = r.getEnvsMap().get("CUDA_DEVICE_MEMORY_LIMIT_" + i);
      assertThat(limit).as("limit of device %d in %s", i, r.getEnvsMap()).isNotNull().endsWith("m");
      long mib = Long.parseLong(limit.substring(0, limit.length() - 1));
      long card = cardMib.applyAsLong(uuids.get(i));
      Probe.Result within = probe.run(r, i, mib, card, uuids.size());
      assertThat(within.ok()).as("alloc %d MiB within the share on device %d: %s", mib, i, within).isTrue();
      Probe.Result past = probe.run(r, i, mib + 1, card, uuids.size());
      assertThat(past.oom()).as("alloc %d MiB past the share on device %d: %s", mib + 1, i, past).isTrue();
      checked++;
    }
    assertThat(checked).isPositive();
  }

  /** The {@code volcano.sh/vgpu-ids-new} annotation the sidecar wrote. */
  String devices(SessionDriver.Placement p) throws Exception {
    return pod(p).annotations().getOrDefault(VgpuAnnotations.VGPU_IDS_NEW, "");
  }

  @Override
  public void close() throws Exception {
    for (GpuNode n : nodes) {
      cluster.removeNode(n.name());
      n.close();
    }
    for (KindNode n : kindNodes) {
      cluster.removeNode(n.name());
      n.close();
    }
    sidecar.close();
    workers.shutdownNow();
  }

  /** The extender client of the current sidecar (it changes on restart). */
  private static final class SwitchableClient implements ExtenderClient {
    volatile @Nullable ExtenderClient target;

    private ExtenderClient t() {
      ExtenderClient c = target;
      if (c == null) {
        throw new IllegalStateException("no sidecar");
      }
      return c;
    }

    @Override
    public PredicateResult predicate(TaskView task, NodeView node) {
      return t().predicate(task, node);
    }

    @Override
    public PrioritizeResult prioritize(TaskView task, List<NodeView> nodes) {
      return t().prioritize(task, nodes);
    }

    @Override
    public EventResult allocate(TaskView task) {
      return t().allocate(task);
    }

    @Override
    public EventResult deallocate(TaskView task) {
      return t().deallocate(task);
    }
  }
}
