package io.github.volcanovgpu.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.volcanovgpu.bridge.kube.RealApiServer;
import io.github.volcanovgpu.bridge.kube.TestNamespace;
import io.github.volcanovgpu.bridge.vendor.nvidia.NvidiaVendor;
import io.github.volcanovgpu.contract.annotation.NodeRegistrationCodec;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.PodDevices;
import io.github.volcanovgpu.contract.device.RegisteredGpu;
import io.github.volcanovgpu.e2e.image.BuiltImages;
import io.github.volcanovgpu.plugin.NodeReads;
import io.github.volcanovgpu.plugin.RealKubelet;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1HostPathVolumeSource;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodStatus;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import io.kubernetes.client.util.PatchUtils;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The last hop, every piece real: the device plugin as the chart deploys it, from the image {@code
 * scripts/build-images.sh} built, under the real kubelet 1.36 (containerd + runc, {@code scripts/k8s-local.sh up}),
 * and a GPU pod's container that runs a CUDA program under libvgpu with the plugin's Allocate answer.
 *
 * <p>The chart is rendered by real Helm; its DaemonSet is created in the API server (validated and defaulted there),
 * and the test then does the DaemonSet controller's one job on this node: a Pod with the template's spec and
 * {@code nodeName} (there is no kube-controller-manager here; a Pod rather than a static pod, because a static pod
 * cannot use the chart's projected ConfigMap volume). Two changes to the template, both for this test cluster: {@code
 * hostNetwork} (the API server listens on 127.0.0.1 and no kube-proxy serves the {@code kubernetes} Service to the
 * pod network) and a kubeconfig mounted for {@code --kubeconfig} (no token controller issues service-account
 * tokens). The init container copies libvgpu.so and ld.so.preload to the host hook path; the plugin (with {@code
 * --fake-gpus 1}) registers with the kubelet and annotates the node. The workload pod carries the annotations the
 * sidecar writes at bind time ({@link NvidiaVendor#allocationAnnotations}); the kubelet calls Allocate, and the
 * container (image {@code scripts/k8s-local/make-probe-image.sh}: vgpu-probe and the stub CUDA driver, no libvgpu)
 * gets libvgpu.so and /etc/ld.so.preload mounted by the answer. Needs root; skipped with the reason elsewhere,
 * failed under {@code CI=true}.
 */
@RealApiServer
class ChartOnRealKubeletIT {
  private static final String PROBE_IMAGE = "localhost/vgpu-probe:1";
  private static final long SHARE_MIB = 3000;
  private static final Pattern PROBE_LINE = Pattern.compile(
      "(?m)^(ok|oom|error) device=0 alloc_mib=(\\d+) allocated_mib=(\\d+) total_mib=(\\d+) free_mib=(\\d+)$");
  private static final ObjectMapper JSON_MAPPER = new ObjectMapper();

  private final ApiClient client;
  private final CoreV1Api api;
  private final TestNamespace ns;
  private final Path kubeconfig;
  private RealKubelet kubelet;
  private final List<Path> scratch = new ArrayList<>();

  ChartOnRealKubeletIT(ApiClient client, CoreV1Api api, TestNamespace ns, Path kubeconfig) {
    this.client = client;
    this.api = api;
    this.ns = ns;
    this.kubeconfig = kubeconfig;
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (kubelet != null) {
        // the kubelet tears the pods down (CNI DEL, mounts) before it stops
        api.deleteCollectionNamespacedPod(ns.name()).gracePeriodSeconds(0).execute();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
            .until(() -> api.listNamespacedPod(ns.name()).execute().getItems().isEmpty());
      }
    } finally {
      if (kubelet != null) {
        kubelet.down();
      }
      for (Path p : scratch) {
        deleteTree(p);
      }
    }
  }

  @Test
  void aContainerStartedByTheRealKubeletRunsUnderLibvgpuFromTheChartsDevicePluginAndIsRefusedOneMibOverItsShare()
      throws Exception {
    kubelet = RealKubelet.requireOrSkip();
    Path nativeDir = nativeDir();
    BuiltImages.Archives images = BuiltImages.require();
    Path work = scratch(Files.createTempDirectory("lasthop"));
    Path probeImage = work.resolve("vgpu-probe.tar");
    run(List.of("bash", BuiltImages.ROOT.resolve("scripts/k8s-local/make-probe-image.sh").toString(),
        probeImage.toString(), PROBE_IMAGE, nativeDir.toString()));

    String node = ns.nodeName("chart");
    kubelet.up(node);
    kubelet.importImages(images.java(), images.libvgpu(), probeImage);
    // the chart's nodeSelector (gpu: "on"); the kubelet itself refuses a pod whose selector its node does not match
    PatchUtils.patch(V1Node.class, () -> api.patchNode(node, new V1Patch(
        "{\"metadata\":{\"labels\":{\"gpu\":\"on\"}}}")).buildCall(null), V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH,
        client);

    // --- the chart, rendered by Helm for this namespace, with the images just imported
    Path hook = scratch(Files.createTempDirectory("lasthop-hook"));
    Path kubeconfigDir = Files.createDirectories(work.resolve("kubeconfig"));
    Files.copy(kubeconfig, kubeconfigDir.resolve("kubeconfig"));
    int metricsPort;
    try (ServerSocket s = new ServerSocket(0)) {
      metricsPort = s.getLocalPort();
    }
    Map<String, Object> sets = new LinkedHashMap<>();
    sets.put("devicePlugin.hookPath", hook.toString());
    sets.put("devicePlugin.metricsPort", metricsPort);
    sets.put("devicePlugin.image.pullPolicy", "Never");
    sets.put("devicePlugin.libvgpu.image.pullPolicy", "Never");
    sets.put("devicePlugin.extraArgs[0]", "--fake-gpus=1");
    sets.put("devicePlugin.extraArgs[1]", "--kubeconfig=/etc/lasthop/kubeconfig");
    RenderedChart chart = RenderedChart.render(ns.name(), sets);
    for (JsonNode cm : chart.ofKind("ConfigMap")) {
      api.createNamespacedConfigMap(ns.name(), JSON.deserialize(cm.toString(), V1ConfigMap.class)).execute();
    }
    JsonNode daemonSet = chart.devicePlugin();
    V1DaemonSet stored = new AppsV1Api(client).createNamespacedDaemonSet(ns.name(),
        JSON.deserialize(daemonSet.toString(), V1DaemonSet.class)).execute();
    V1Pod plugin = podFor(stored, node, kubeconfigDir);
    api.createNamespacedPod(ns.name(), plugin).execute();

    // the init container installed the library and the preload file; the plugin registered and annotated the node
    try {
      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
          .until(() -> NodeReads.annotations(api, node).containsKey(VgpuAnnotations.NODE_REGISTER)
              && NodeReads.allocatable(api, node, "volcano.sh/vgpu-memory") > 0);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("the device plugin did not register: " + describe(plugin.getMetadata().getName()), e);
    }
    assertThat(Files.readAllBytes(hook.resolve("libvgpu.so")))
        .as("libvgpu.so the init container copied from the libvgpu image")
        .isEqualTo(Files.readAllBytes(nativeDir.resolve("lib/libvgpu.so")));
    assertThat(Files.readString(hook.resolve("ld.so.preload"))).isEqualTo("/usr/local/vgpu/libvgpu.so\n");
    List<RegisteredGpu> gpus = NodeRegistrationCodec.decode(
        NodeReads.annotations(api, node).get(VgpuAnnotations.NODE_REGISTER));
    assertThat(gpus).hasSize(1);
    RegisteredGpu gpu = gpus.get(0);
    assertThat(NodeReads.allocatable(api, node, "volcano.sh/vgpu-memory")).isEqualTo(gpu.memoryUnits());

    // --- a GPU pod, bound as the sidecar binds it: one card, SHARE_MIB of it (factor 1: units are MiB)
    V1Pod workload = workload(node, gpu);
    String uid = api.createNamespacedPod(ns.name(), workload).execute().getMetadata().getUid();
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> {
      V1PodStatus status = api.readNamespacedPod("probe", ns.name()).execute().getStatus();
      assertThat(status.getPhase()).as("workload pod: %s", describe("probe")).isNotEqualTo("Failed");
      return "Succeeded".equals(status.getPhase());
    });
    assertThat(RealKubelet.checkpointEnvs(uid, "main")).as("the Allocate answer the kubelet recorded")
        .containsEntry("NVIDIA_VISIBLE_DEVICES", gpu.uuid())
        .containsEntry("CUDA_DEVICE_MEMORY_LIMIT_0", SHARE_MIB + "m");
    String log = api.readNamespacedPodLog("probe", ns.name()).container("main").execute();
    System.out.println("workload container log:\n" + log);

    assertThat(log).as("the container's log").contains("preload=/usr/local/vgpu/libvgpu.so", "probe-exit=0",
        "probe-exit=2", "DONE");
    List<Matcher> runs = new ArrayList<>();
    Matcher m = PROBE_LINE.matcher(log);
    while (m.find()) {
      runs.add(PROBE_LINE.matcher(m.group()));
      runs.get(runs.size() - 1).matches();
    }
    assertThat(runs).as("two probe lines in:%n%s", log).hasSize(2);
    Matcher fits = runs.get(0);
    Matcher over = runs.get(1);
    assertThat(fits.group(1)).as("allocating the whole share").isEqualTo("ok");
    assertThat(fits.group(2)).isEqualTo(Long.toString(SHARE_MIB));
    assertThat(fits.group(4)).as("the memory total the program sees is its share").isEqualTo(Long.toString(SHARE_MIB));
    assertThat(over.group(1)).as("one MiB over the share: CUDA_ERROR_OUT_OF_MEMORY").isEqualTo("oom");
    assertThat(over.group(2)).isEqualTo(Long.toString(SHARE_MIB + 1));
    assertThat(over.group(3)).as("nothing allocated").isEqualTo("0");
    assertThat(over.group(4)).isEqualTo(Long.toString(SHARE_MIB));
  }

  /** What the DaemonSet controller would create on {@code node}, plus the two test-cluster changes (class doc). */
  private V1Pod podFor(V1DaemonSet daemonSet, String node, Path kubeconfigDir) {
    V1PodSpec spec = daemonSet.getSpec().getTemplate().getSpec();
    // the client's model reads an absent overhead as {}, which the API server refuses without a RuntimeClass
    spec.overhead(null).nodeName(node).hostNetwork(true).terminationGracePeriodSeconds(1L);
    spec.addVolumesItem(new V1Volume().name("lasthop-kubeconfig")
        .hostPath(new V1HostPathVolumeSource().path(kubeconfigDir.toString()).type("Directory")));
    V1Container container = spec.getContainers().get(0);
    container.addVolumeMountsItem(new V1VolumeMount().name("lasthop-kubeconfig").mountPath("/etc/lasthop")
        .readOnly(true));
    V1ObjectMeta template = daemonSet.getSpec().getTemplate().getMetadata();
    return new V1Pod().metadata(new V1ObjectMeta().name(daemonSet.getMetadata().getName() + "-lasthop")
        .namespace(ns.name()).labels(template.getLabels()).annotations(template.getAnnotations())).spec(spec);
  }

  /**
   * The probe twice in one container: the whole share, then one MiB more. It prints what /etc/ld.so.preload names
   * (mounted by the Allocate answer) so the log shows the program ran under libvgpu by the loader's own mechanism.
   */
  private V1Pod workload(String node, RegisteredGpu gpu) {
    Map<String, Quantity> limits = new LinkedHashMap<>();
    limits.put("volcano.sh/vgpu-number", Quantity.fromString("1"));
    limits.put("volcano.sh/vgpu-memory", Quantity.fromString(Long.toString(SHARE_MIB)));
    String script = "echo preload=$(cat /etc/ld.so.preload); "
        + "vgpu-probe --alloc-mib " + SHARE_MIB + "; echo probe-exit=$?; "
        + "vgpu-probe --alloc-mib " + (SHARE_MIB + 1) + "; echo probe-exit=$?; echo DONE";
    V1Container main = new V1Container().name("main").image(PROBE_IMAGE).imagePullPolicy("Never")
        .command(List.of("/bin/sh", "-c", script))
        // the stub driver simulates the card the fake backend registered
        .env(List.of(new V1EnvVar().name("STUB_CUDA_TOTAL_MEM").value(gpu.memoryUnits() + "m"),
            new V1EnvVar().name("STUB_CUDA_DEVICES").value("1")))
        .resources(new V1ResourceRequirements().limits(limits));
    Map<String, String> annotations = NvidiaVendor.volcanoDefaults().allocationAnnotations(node,
        new PodDevices(List.of(List.of(DeviceSlice.nvidia(gpu.uuid(), SHARE_MIB, 0)))), Instant.now());
    return new V1Pod().metadata(new V1ObjectMeta().name("probe").namespace(ns.name()).annotations(annotations))
        .spec(new V1PodSpec().overhead(null).nodeName(node).restartPolicy("Never").terminationGracePeriodSeconds(1L)
            .automountServiceAccountToken(false).containers(List.of(main)));
  }

  /** Phase, conditions and container states of a pod, for failure messages. */
  private String describe(String pod) {
    try {
      V1Pod p = api.readNamespacedPod(pod, ns.name()).execute();
      return JSON_MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(
          JSON_MAPPER.readTree(JSON.serialize(p.getStatus())));
    } catch (Exception e) {
      return "(cannot read pod " + pod + ": " + e + ")";
    }
  }

  /** libvgpu-native/target/native (built by the reactor before this module). */
  private static Path nativeDir() {
    Path n = BuiltImages.ROOT.resolve("libvgpu-native/target/native");
    assertThat(n.resolve("bin/vgpu-probe")).as("libvgpu-native is built").isExecutable();
    return n;
  }

  private Path scratch(Path p) {
    scratch.add(p);
    return p;
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> all = Files.walk(p)) {
      for (Path q : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    }
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
    assertThat(p.exitValue()).as("%s:%n%s", command, out).isZero();
    return out;
  }
}
