package io.github.volcanovgpu.e2e.chart;

import static io.github.volcanovgpu.e2e.chart.RenderedChart.NAMESPACE;
import static io.github.volcanovgpu.e2e.chart.RenderedChart.RELEASE;
import static io.github.volcanovgpu.e2e.chart.RenderedChart.args;
import static io.github.volcanovgpu.e2e.chart.RenderedChart.container;
import static io.github.volcanovgpu.e2e.chart.RenderedChart.env;
import static io.github.volcanovgpu.e2e.chart.RenderedChart.initContainer;
import static io.github.volcanovgpu.e2e.chart.RenderedChart.mounts;
import static io.github.volcanovgpu.e2e.chart.RenderedChart.stream;
import static io.github.volcanovgpu.e2e.chart.RenderedChart.texts;
import static io.github.volcanovgpu.e2e.chart.RenderedChart.volume;
import static io.github.volcanovgpu.e2e.chart.RenderedChart.volumeNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.LintResult;
import io.github.volcanovgpu.bridge.BridgeMain;
import io.github.volcanovgpu.contract.admission.AdmissionContract;
import io.github.volcanovgpu.plugin.DevicePluginMain;
import io.github.volcanovgpu.plugin.monitor.MonitorMain;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code charts/volcano-vgpu} rendered by real Helm (helm-java runs Helm's Go code in-process) for the default
 * values and each switch; every assertion reads the parsed objects, never the text.
 */
class VolcanoVgpuChartTest {
  private static final String SIDECAR = RELEASE + "-volcano-vgpu-sidecar";
  private static final String DEVICE_PLUGIN = RELEASE + "-volcano-vgpu-device-plugin";
  /** The Maven project version (the root POM's own {@code <version>}): the chart's version and appVersion. */
  private static final String VERSION = mavenVersion();
  private static RenderedChart defaults;

  @BeforeAll
  static void renderDefaults() {
    defaults = RenderedChart.render();
  }

  // ------------------------------------------------------------------------------------------------ lint, shape

  @Test
  void helmLintStrictFindsNoProblem() {
    LintResult lint = RenderedChart.lint();
    assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
    assertThat(lint.getMessages()).noneMatch(m -> m.startsWith("[ERROR]") || m.startsWith("[WARNING]"));
  }

  @Test
  void defaultValuesRenderEveryComponentInTheReleaseNamespace() {
    assertThat(kinds(defaults)).contains(
        "ConfigMap/volcano-vgpu-device-config", "ConfigMap/volcano-vgpu-node-config",
        "ConfigMap/" + RELEASE + "-volcano-vgpu-scheduler-conf",
        "Deployment/" + SIDECAR, "Service/" + SIDECAR, "PodDisruptionBudget/" + SIDECAR,
        "DaemonSet/" + DEVICE_PLUGIN, "Service/" + DEVICE_PLUGIN + "-metrics", "Service/" + DEVICE_PLUGIN + "-monitor",
        "ServiceAccount/" + SIDECAR, "ServiceAccount/" + DEVICE_PLUGIN,
        "ClusterRole/" + SIDECAR, "ClusterRole/" + DEVICE_PLUGIN, "Role/" + SIDECAR,
        "MutatingWebhookConfiguration/" + SIDECAR, "ValidatingWebhookConfiguration/" + SIDECAR,
        "Secret/" + SIDECAR + "-webhook-tls");
    for (JsonNode o : defaults.objects()) {
      String kind = o.path("kind").asText();
      if (!kind.startsWith("Cluster") && !kind.endsWith("WebhookConfiguration")) { // cluster-scoped
        assertThat(o.path("metadata").path("namespace").asText()).as(kind).isEqualTo(NAMESPACE);
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ RBAC

  @Test
  void rbacGrantsOnlyTheVerbsEachComponentUsesAndNothingReadsSecrets() {
    for (String kind : List.of("ClusterRole", "Role")) {
      for (JsonNode role : defaults.ofKind(kind)) {
        for (JsonNode rule : role.path("rules")) {
          assertThat(texts(rule.path("resources"))).doesNotContain("secrets", "*");
          assertThat(texts(rule.path("verbs"))).doesNotContain("*", "delete", "deletecollection", "escalate",
              "bind", "impersonate");
          assertThat(texts(rule.path("apiGroups"))).doesNotContain("*");
        }
      }
    }
    assertThat(rules(defaults.get("ClusterRole", SIDECAR))).containsExactlyInAnyOrderEntriesOf(Map.of(
        "/nodes", Set.of("get", "list", "watch"),
        "/pods", Set.of("get", "list", "watch", "patch"),
        "/resourcequotas", Set.of("list", "watch")));
    assertThat(rules(defaults.get("Role", SIDECAR))).containsExactlyInAnyOrderEntriesOf(Map.of(
        "/configmaps", Set.of("get", "list", "watch"),
        "coordination.k8s.io/leases", Set.of("get", "create", "update")));
    assertThat(rules(defaults.get("ClusterRole", DEVICE_PLUGIN))).containsExactlyInAnyOrderEntriesOf(Map.of(
        "/nodes", Set.of("get", "patch"),
        "/pods", Set.of("get", "list", "watch", "patch"),
        "/events", Set.of("create")));
  }

  @Test
  void bindingsTieEachRoleToItsOwnServiceAccount() {
    for (String name : List.of(SIDECAR, DEVICE_PLUGIN)) {
      JsonNode binding = defaults.get("ClusterRoleBinding", name);
      assertThat(binding.path("roleRef").path("name").asText()).isEqualTo(name);
      assertThat(binding.path("subjects").get(0).path("name").asText()).isEqualTo(name);
      assertThat(binding.path("subjects").get(0).path("namespace").asText()).isEqualTo(NAMESPACE);
    }
    assertThat(defaults.sidecar().path("spec").path("template").path("spec").path("serviceAccountName").asText())
        .isEqualTo(SIDECAR);
    assertThat(defaults.devicePlugin().path("spec").path("template").path("spec").path("serviceAccountName")
        .asText()).isEqualTo(DEVICE_PLUGIN);
  }

  @Test
  void nodeLockAddsTheFlagAndTheNodePatchItNeeds() {
    RenderedChart chart = RenderedChart.render("sidecar.nodeLock", true);
    assertThat(args(container(chart.sidecar(), "sidecar"))).contains("--node-lock");
    assertThat(rules(chart.get("ClusterRole", SIDECAR)).get("/nodes")).contains("patch");
    assertThat(args(container(defaults.sidecar(), "sidecar"))).doesNotContain("--node-lock");
  }

  // ------------------------------------------------------------------------------------------------ sidecar

  @Test
  void sidecarArgsAreOptionsTheBridgeCommandAccepts() {
    List<String> args = args(container(defaults.sidecar(), "sidecar"));
    assertThat(args.get(0)).isEqualTo("bridge");
    CommandLine.ParseResult parsed = new CommandLine(new BridgeMain()).parseArgs(args.toArray(String[]::new));
    CommandLine.ParseResult bridge = parsed.subcommand();
    assertThat(bridge.commandSpec().name()).isEqualTo("bridge");
    assertThat(bridge.matchedOptionValue("--http-bind", "")).isEqualTo("0.0.0.0:8713");
    assertThat(bridge.matchedOptionValue("--grpc-bind", "")).isEqualTo("0.0.0.0:8714");
    assertThat(bridge.matchedOptionValue("--metrics-bind-address", "")).isEqualTo("0.0.0.0:8715");
    assertThat(bridge.matchedOptionValue("--max-body-bytes", 0)).isEqualTo(64 << 20);
    assertThat(bridge.hasMatchedOption("--leader-elect")).isTrue();
    assertThat(bridge.matchedOptionValue("--leader-elect-lease-name", "")).isEqualTo("volcano-vgpu-sidecar");
    assertThat(bridge.matchedOptionValue("--leader-elect-namespace", "")).isEqualTo(NAMESPACE);
    assertThat(bridge.matchedOptionValue("--device-config", (Object) null)).hasToString("/config/device-config.yaml");
  }

  @Test
  void sidecarServesExtenderGrpcAndMetricsThroughItsService() {
    JsonNode c = container(defaults.sidecar(), "sidecar");
    Map<String, Integer> ports = new LinkedHashMap<>();
    stream(c.path("ports")).forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
    assertThat(ports).containsExactlyInAnyOrderEntriesOf(Map.of("http", 8713, "grpc", 8714, "metrics", 8715,
        "webhook", 8716));
    JsonNode service = defaults.get("Service", SIDECAR);
    Map<String, String> servicePorts = new LinkedHashMap<>();
    stream(service.path("spec").path("ports")).forEach(p -> servicePorts.put(p.path("name").asText(),
        p.path("port").asInt() + "->" + p.path("targetPort").asText()));
    assertThat(servicePorts).containsExactlyInAnyOrderEntriesOf(Map.of(
        "http", "8713->http", "grpc", "8714->grpc", "metrics", "8715->metrics", "webhook", "8716->webhook"));
    assertThat(service.path("spec").path("selector"))
        .isEqualTo(defaults.sidecar().path("spec").path("template").path("metadata").path("labels"));
  }

  @Test
  void sidecarIsReadyOnlyAsLeaderAndLiveOnHealthz() {
    JsonNode c = container(defaults.sidecar(), "sidecar");
    assertThat(c.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
    assertThat(c.path("readinessProbe").path("httpGet").path("port").asText()).isEqualTo("http");
    assertThat(c.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
    assertThat(c.path("startupProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
    assertThat(c.path("resources").path("requests").path("memory").asText()).isNotEmpty();
    assertThat(c.path("resources").path("limits").path("memory").asText()).isNotEmpty();
    assertThat(defaults.sidecar().path("spec").path("replicas").asInt()).isEqualTo(2);
  }

  @Test
  void sidecarTakesItsIdentityAndNamespaceFromTheDownwardApi() {
    Map<String, String> env = env(container(defaults.sidecar(), "sidecar"));
    assertThat(env).containsEntry("POD_NAME", "metadata.name").containsEntry("POD_NAMESPACE", "metadata.namespace")
        .containsEntry("LOG_LEVEL", "INFO");
    assertThat(env(container(RenderedChart.render("logLevel", "DEBUG").sidecar(), "sidecar")))
        .containsEntry("LOG_LEVEL", "DEBUG");
  }

  @Test
  void sidecarRunsUnprivilegedWithTheDeviceConfigMounted() {
    JsonNode pod = defaults.sidecar().path("spec").path("template").path("spec");
    JsonNode c = container(defaults.sidecar(), "sidecar");
    assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(c.path("securityContext").path("privileged").asBoolean(false)).isFalse();
    assertThat(c.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
    assertThat(mounts(c)).containsEntry("/config", "device-config");
    assertThat(volume(defaults.sidecar(), "device-config").path("configMap").path("name").asText())
        .isEqualTo("volcano-vgpu-device-config");
    assertThat(volumeNames(defaults.sidecar())).noneMatch(v -> volume(defaults.sidecar(), v).has("hostPath"));
  }

  @Test
  void leaderElectionOffDropsTheFlagsAndTheLeaseRule() {
    RenderedChart chart = RenderedChart.render("sidecar.leaderElection.enabled", false);
    assertThat(args(container(chart.sidecar(), "sidecar"))).noneMatch(a -> a.startsWith("--leader-elect"));
    assertThat(rules(chart.get("Role", SIDECAR))).doesNotContainKey("coordination.k8s.io/leases");
  }

  @Test
  void bodyLimitSwitchReachesTheSidecarAsAnInteger() {
    RenderedChart chart = RenderedChart.render("sidecar.maxBodyBytes", 1048576);
    assertThat(args(container(chart.sidecar(), "sidecar"))).contains("--max-body-bytes=1048576");
    assertThat(args(container(defaults.sidecar(), "sidecar"))).contains("--max-body-bytes=67108864");
  }

  @Test
  void disruptionBudgetCoversTheSidecarPodsAndCanBeTurnedOff() {
    JsonNode pdb = defaults.get("PodDisruptionBudget", SIDECAR);
    assertThat(pdb.path("spec").path("selector").path("matchLabels"))
        .isEqualTo(defaults.sidecar().path("spec").path("selector").path("matchLabels"));
    assertThat(pdb.path("spec").path("maxUnavailable").asInt()).isEqualTo(1);
    assertThat(RenderedChart.render("sidecar.podDisruptionBudget.enabled", false).ofKind("PodDisruptionBudget"))
        .isEmpty();
  }

  // ------------------------------------------------------------------------------------------------ device plugin

  @Test
  void devicePluginArgsAreOptionsTheDevicePluginAccepts() {
    List<String> args = args(container(defaults.devicePlugin(), "device-plugin"));
    assertThat(args.get(0)).isEqualTo("device-plugin");
    CommandLine.ParseResult parsed = new CommandLine(new DevicePluginMain())
        .parseArgs(args.subList(1, args.size()).toArray(String[]::new));
    assertThat(parsed.matchedOptionValue("--device-plugin-path", (Object) null))
        .hasToString("/var/lib/kubelet/device-plugins");
    assertThat(parsed.matchedOptionValue("--hook-path", (Object) null)).hasToString("/usr/local/vgpu");
    assertThat(parsed.matchedOptionValue("--device-config", (Object) null))
        .hasToString("/config/device-config.yaml");
    assertThat(parsed.matchedOptionValue("--node-config", (Object) null)).hasToString("/config/config.json");
  }

  @Test
  void devicePluginRunsOnlyOnLabelledGpuNodes() {
    JsonNode pod = defaults.devicePlugin().path("spec").path("template").path("spec");
    assertThat(pod.path("nodeSelector").path("gpu").asText()).isEqualTo("on");
    JsonNode custom = RenderedChart.render(Map.of("devicePlugin.nodeSelector.gpu", "null",
        "devicePlugin.nodeSelector.nvidia\\.com/gpu\\.present", "true")).devicePlugin();
    assertThat(custom.path("spec").path("template").path("spec").path("nodeSelector").path("nvidia.com/gpu.present")
        .asText()).isEqualTo("true");
  }

  @Test
  void devicePluginMountsKubeletDirHookPathLockDirAndBothConfigs() {
    JsonNode c = container(defaults.devicePlugin(), "device-plugin");
    assertThat(mounts(c)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "/var/lib/kubelet/device-plugins", "device-plugin",
        "/usr/local/vgpu", "hook",
        "/tmp/vgpulock", "vgpulock",
        "/config", "config"));
    JsonNode ds = defaults.devicePlugin();
    assertThat(volume(ds, "device-plugin").path("hostPath").path("path").asText())
        .isEqualTo("/var/lib/kubelet/device-plugins");
    assertThat(volume(ds, "hook").path("hostPath").path("path").asText()).isEqualTo("/usr/local/vgpu");
    List<String> configs = new ArrayList<>();
    stream(volume(ds, "config").path("projected").path("sources")).forEach(s -> configs.add(
        s.path("configMap").path("name").asText() + ":" + s.path("configMap").path("items").get(0).path("path")
            .asText()));
    assertThat(configs).containsExactlyInAnyOrder("volcano-vgpu-device-config:device-config.yaml",
        "volcano-vgpu-node-config:config.json");
    assertThat(env(c)).containsEntry("NODE_NAME", "spec.nodeName").containsEntry("HOOK_PATH", "/usr/local/vgpu")
        .containsEntry("DEVICE_LIST_STRATEGY", "envvar").containsEntry("LOG_LEVEL", "INFO");
  }

  @Test
  void onlyTheDevicePluginContainerIsPrivilegedAndTheInitStepInstallsLibvgpuIntoTheHookPath() {
    JsonNode ds = defaults.devicePlugin();
    assertThat(container(ds, "device-plugin").path("securityContext").path("privileged").asBoolean()).isTrue();
    JsonNode monitor = container(ds, "monitor");
    assertThat(monitor.path("securityContext").path("privileged").asBoolean(true)).isFalse();
    assertThat(monitor.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
    JsonNode init = initContainer(ds, "install-libvgpu");
    assertThat(init.path("securityContext").path("privileged").asBoolean(true)).isFalse();
    assertThat(init.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
    assertThat(mounts(init)).containsExactlyEntriesOf(Map.of("/hook", "hook"));
    String script = String.join("\n", args(init));
    assertThat(script).contains("/hook/libvgpu.so").contains("/hook/ld.so.preload")
        .contains("/usr/local/vgpu/libvgpu.so");
    assertThat(init.path("image").asText()).isEqualTo("ghcr.io/volcano-vgpu/libvgpu:" + VERSION);
    JsonNode unprivileged = RenderedChart.render("devicePlugin.privileged", false).devicePlugin();
    assertThat(container(unprivileged, "device-plugin").path("securityContext").path("privileged").asBoolean())
        .isFalse();
  }

  @Test
  void cdiSwitchMountsTheSpecDirAndDriverRootAndSetsTheStrategy() {
    JsonNode plain = container(defaults.devicePlugin(), "device-plugin");
    assertThat(mounts(plain)).doesNotContainKeys("/var/run/cdi", "/driver-root");
    assertThat(volumeNames(defaults.devicePlugin())).doesNotContain("cdi-specs", "driver-root");

    RenderedChart chart = RenderedChart.render("cdi.enabled", true);
    JsonNode c = container(chart.devicePlugin(), "device-plugin");
    assertThat(mounts(c)).containsEntry("/var/run/cdi", "cdi-specs").containsEntry("/driver-root", "driver-root")
        .containsEntry("/host/proc/driver", "proc-driver");
    assertThat(volume(chart.devicePlugin(), "proc-driver").path("hostPath").path("path").asText())
        .isEqualTo("/proc/driver");
    assertThat(volume(chart.devicePlugin(), "cdi-specs").path("hostPath").path("path").asText())
        .isEqualTo("/var/run/cdi");
    assertThat(stream(c.path("volumeMounts")).filter(m -> m.path("name").asText().equals("driver-root"))
        .allMatch(m -> m.path("readOnly").asBoolean())).isTrue();
    assertThat(env(c)).containsEntry("DEVICE_LIST_STRATEGY", "cdi-annotations")
        .containsEntry("CDI_ANNOTATION_PREFIX", "cdi.k8s.io/").containsEntry("CDI_ROOT", "/var/run/cdi")
        .containsEntry("CDI_KIND", "k8s.device-plugin.nvidia.com/gpu").doesNotContainKey("CDI_DRIVER_KIND")
        .containsEntry("MIG_MINORS", "/host/proc/driver/nvidia-caps/mig-minors").containsEntry("CDI_DEV_ROOT", "/");

    Map<String, Object> cri = new LinkedHashMap<>();
    cri.put("cdi.enabled", true);
    cri.put("cdi.deviceListStrategy", "cdi-cri");
    cri.put("cdi.specDir", "/etc/cdi");
    cri.put("cdi.devRoot", "/run/nvidia/driver");
    JsonNode criContainer = container(RenderedChart.render(cri).devicePlugin(), "device-plugin");
    assertThat(env(criContainer)).containsEntry("DEVICE_LIST_STRATEGY", "cdi-cri").containsEntry("CDI_ROOT",
        "/etc/cdi").containsEntry("CDI_DEV_ROOT", "/run/nvidia/driver");
    assertThat(mounts(criContainer)).containsEntry("/etc/cdi", "cdi-specs");
  }

  @Test
  void deviceKindsSwitchAddsTheAscendMountsAndFlagsAndTheVastaiStrategy() {
    JsonNode plain = container(defaults.devicePlugin(), "device-plugin");
    assertThat(args(plain)).contains("--device-kinds=nvidia").noneMatch(a -> a.startsWith("--npu-"));
    assertThat(volumeNames(defaults.devicePlugin())).doesNotContain("npu-hook", "npu-shared-region", "ascend-driver");

    Map<String, Object> sets = new LinkedHashMap<>();
    sets.put("devicePlugin.deviceKinds", "ascend,vastai");
    sets.put("devicePlugin.vastai.deviceStrategy", "die");
    RenderedChart chart = RenderedChart.render(sets);
    JsonNode c = container(chart.devicePlugin(), "device-plugin");
    List<String> args = args(c);
    CommandLine.ParseResult parsed = new CommandLine(new DevicePluginMain())
        .parseArgs(args.subList(1, args.size()).toArray(String[]::new));
    assertThat(parsed.matchedOptionValue("--device-kinds", "")).isEqualTo("ascend,vastai");
    assertThat(parsed.matchedOptionValue("--npu-hook-path", (Object) null)).hasToString("/usr/local/hami-vnpu-core");
    assertThat(parsed.matchedOptionValue("--npu-shared-region", (Object) null))
        .hasToString("/usr/local/hami-shared-region");
    assertThat(parsed.matchedOptionValue("--device-strategy", "")).isEqualTo("die");
    assertThat(mounts(c)).containsEntry("/usr/local/hami-vnpu-core", "npu-hook")
        .containsEntry("/usr/local/hami-shared-region", "npu-shared-region")
        .containsEntry("/usr/local/Ascend", "ascend-driver");
    assertThat(volume(chart.devicePlugin(), "ascend-driver").path("hostPath").path("path").asText())
        .isEqualTo("/usr/local/Ascend");
    JsonNode init = chart.devicePlugin().path("spec").path("template").path("spec").path("initContainers").get(0);
    assertThat(init.path("args").get(0).asText()).contains("/hami-vnpu-core/libvgpu.so");
  }

  @Test
  void migStrategyAndPerNodeOperatingModeReachTheDevicePlugin() {
    assertThat(env(container(defaults.devicePlugin(), "device-plugin"))).containsEntry("MIG_STRATEGY", "none");
    Map<String, Object> sets = new LinkedHashMap<>();
    sets.put("migStrategy", "mixed");
    sets.put("nodeConfig.configs[0].name", "gpu-a100");
    sets.put("nodeConfig.configs[0].operatingmode", "mig");
    sets.put("nodeConfig.configs[0].devicesplitcount", 7);
    RenderedChart chart = RenderedChart.render(sets);
    assertThat(env(container(chart.devicePlugin(), "device-plugin"))).containsEntry("MIG_STRATEGY", "mixed");
    JsonNode config = RenderedChart.yaml(
        chart.get("ConfigMap", "volcano-vgpu-node-config").path("data").path("config.json").asText());
    JsonNode node = config.path("nodeconfig").get(0);
    assertThat(node.path("name").asText()).isEqualTo("gpu-a100");
    assertThat(node.path("operatingmode").asText()).isEqualTo("mig");
    assertThat(node.path("devicesplitcount").asInt()).isEqualTo(7);

    JsonNode empty = RenderedChart.yaml(
        defaults.get("ConfigMap", "volcano-vgpu-node-config").path("data").path("config.json").asText());
    assertThat(empty.path("nodeconfig").isArray()).isTrue();
    assertThat(empty.path("nodeconfig")).isEmpty();
  }

  @Test
  void configChangesRollThePods() {
    RenderedChart changed = RenderedChart.render("deviceConfig.nvidia.deviceSplitCount", 4);
    assertThat(checksum(changed.devicePlugin())).isNotEqualTo(checksum(defaults.devicePlugin()));
    assertThat(checksum(changed.sidecar())).isNotEqualTo(checksum(defaults.sidecar()));
  }

  // ------------------------------------------------------------------------------------------------ ConfigMaps

  @Test
  void deviceConfigHasHamisKeysAndDefaults() {
    JsonNode nvidia = deviceConfig(defaults).path("nvidia");
    assertThat(nvidia.path("resourceCountName").asText()).isEqualTo("volcano.sh/vgpu-number");
    assertThat(nvidia.path("resourceMemoryName").asText()).isEqualTo("volcano.sh/vgpu-memory");
    assertThat(nvidia.path("resourceMemoryPercentageName").asText()).isEqualTo("volcano.sh/vgpu-memory-percentage");
    assertThat(nvidia.path("resourceCoreName").asText()).isEqualTo("volcano.sh/vgpu-cores");
    assertThat(nvidia.path("overwriteEnv").isBoolean()).isTrue();
    assertThat(nvidia.path("overwriteEnv").asBoolean()).isFalse();
    assertThat(nvidia.path("defaultMemory").asInt(-1)).isZero();
    assertThat(nvidia.path("defaultCores").asInt(-1)).isZero();
    assertThat(nvidia.path("defaultGPUNum").asInt()).isEqualTo(1);
    assertThat(nvidia.path("deviceSplitCount").asInt()).isEqualTo(10);
    assertThat(nvidia.path("deviceMemoryScaling").asDouble()).isEqualTo(1.0);
    assertThat(nvidia.path("deviceCoreScaling").asDouble()).isEqualTo(1.0);
    assertThat(nvidia.path("gpuMemoryFactor").asInt()).isEqualTo(1);
  }

  @Test
  void deviceConfigKnowsTheMigGeometriesOfA30AndBothA100s() {
    JsonNode geometries = deviceConfig(defaults).path("nvidia").path("knownMigGeometries");
    assertThat(geometries).hasSize(3);
    assertThat(geometry(geometries, "A30")).containsExactly("group1:1g.6gb/6144x4", "group2:2g.12gb/12288x2",
        "group3:4g.24gb/24576x1");
    assertThat(geometry(geometries, "A100-PCIE-40GB")).containsExactly("group1:1g.5gb/5120x7",
        "group2:2g.10gb/10240x3,1g.5gb/5120x1", "group3:3g.20gb/20480x2", "group4:7g.40gb/40960x1");
    assertThat(geometry(geometries, "A100-SXM4-80GB")).containsExactly("group1:1g.10gb/9728x7",
        "group2:2g.20gb/19968x3,1g.10gb/9728x1", "group3:3g.40gb/40192x2", "group4:7g.80gb/80896x1");
  }

  @Test
  void deviceConfigCanAlsoBePlacedWhereVolcanoLooks() {
    RenderedChart chart = RenderedChart.render("deviceConfig.namespace", "kube-system");
    List<String> namespaces = chart.ofKind("ConfigMap").stream()
        .filter(c -> c.path("metadata").path("name").asText().equals("volcano-vgpu-device-config"))
        .map(c -> c.path("metadata").path("namespace").asText()).toList();
    assertThat(namespaces).containsExactlyInAnyOrder(NAMESPACE, "kube-system");
  }

  // ------------------------------------------------------------------------------------------------ scheduler conf

  @Test
  void schedulerConfIsValidYamlWithTheExtenderPointingAtTheSidecarService() {
    JsonNode extender = extenderArguments(defaults);
    assertThat(extender.path("extender.urlPrefix").asText())
        .isEqualTo("http://" + SIDECAR + "." + NAMESPACE + ".svc:8713");
    assertThat(defaults.get("Service", SIDECAR).path("spec").path("ports").get(0).path("port").asInt())
        .isEqualTo(8713);
    assertThat(extender.path("extender.httpTimeout").isTextual()).isTrue();
    assertThat(extender.path("extender.httpTimeout").asText()).isEqualTo("1s");
    assertThat(extender.path("extender.predicateVerb").asText()).isEqualTo("predicate");
    assertThat(extender.path("extender.prioritizeVerb").asText()).isEqualTo("prioritize");
    assertThat(extender.path("extender.allocateFuncVerb").asText()).isEqualTo("allocate");
    assertThat(extender.path("extender.deallocateFuncVerb").asText()).isEqualTo("deallocate");
    assertThat(extender.path("extender.preemptableVerb").asText()).isEqualTo("preemptable");
    assertThat(extender.path("extender.reclaimableVerb").asText()).isEqualTo("reclaimable");
    assertThat(extender.path("extender.ignorable").isBoolean()).isTrue();
    assertThat(extender.path("extender.ignorable").asBoolean()).isFalse();
    assertThat(extender.path("extender.managedResources").isArray()).isTrue();
    assertThat(texts(extender.path("extender.managedResources"))).startsWith("volcano.sh/vgpu-number",
        "volcano.sh/vgpu-memory", "volcano.sh/vgpu-memory-percentage", "volcano.sh/vgpu-cores")
        .contains("huawei.com/Ascend910C", "huawei.com/Ascend910C-memory", "huawei.com/Ascend910C-core",
            "hami.io/vnpu-core", "hami.io/vnpu-core-memory", "vastaitech.com/va");
    assertThat(extender.has("extender.onSessionOpenVerb")).isFalse();
  }

  @Test
  void schedulerConfKeepsPredicatesAndNeverEnablesDeviceshareVgpu() {
    JsonNode conf = schedulerConf(defaults);
    List<String> plugins = new ArrayList<>();
    for (JsonNode tier : conf.path("tiers")) {
      for (JsonNode plugin : tier.path("plugins")) {
        plugins.add(plugin.path("name").asText());
        assertThat(plugin.path("arguments").has("deviceshare.VGPUEnable")).isFalse();
      }
    }
    assertThat(plugins).contains("predicates", "extender", "gang").doesNotContain("deviceshare");
    assertThat(conf.path("actions").asText()).contains("allocate");
  }

  @Test
  void httpTimeoutStaysAStringAndUrlAndResourceNamesFollowTheValues() {
    Map<String, Object> sets = new LinkedHashMap<>();
    sets.put("scheduler.httpTimeout", "500ms");
    sets.put("scheduler.urlPrefix", "http://127.0.0.1:8713/");
    sets.put("deviceConfig.nvidia.resourceMemoryPercentageName", "");
    sets.put("deviceConfig.nvidia.resourceCoreName", "example.com/cores");
    JsonNode extender = extenderArguments(RenderedChart.render(sets));
    assertThat(extender.path("extender.httpTimeout").isTextual()).isTrue();
    assertThat(extender.path("extender.httpTimeout").asText()).isEqualTo("500ms");
    assertThat(extender.path("extender.urlPrefix").asText()).isEqualTo("http://127.0.0.1:8713");
    assertThat(texts(extender.path("extender.managedResources"))).startsWith("volcano.sh/vgpu-number",
        "volcano.sh/vgpu-memory", "example.com/cores");
  }

  @Test
  void theManagedResourcesAreExactlyWhatTheSidecarsKindsReadFromTheRenderedDeviceConfig() {
    for (RenderedChart chart : List.of(defaults, RenderedChart.render(Map.of("deviceConfig.vastai.enabled", false,
        "deviceConfig.vnpus.configs[0].chipName", "910B3", "deviceConfig.vnpus.configs[0].commonWord", "Ascend910B3",
        "deviceConfig.vnpus.configs[0].resourceName", "huawei.com/Ascend910B3",
        "deviceConfig.vnpus.configs[0].resourceMemoryName", "huawei.com/Ascend910B3-memory",
        "deviceConfig.vnpus.configs[0].memoryAllocatable", 65536,
        "deviceConfig.vnpus.configs[0].memoryCapacity", 65536)))) {
      io.github.volcanovgpu.contract.config.DeviceConfig config = io.github.volcanovgpu.contract.config.DeviceConfig
          .parse(chart.ofKind("ConfigMap").stream()
              .filter(c -> c.path("metadata").path("name").asText().equals("volcano-vgpu-device-config"))
              .findFirst().orElseThrow().path("data").path("device-config.yaml").asText(), "rendered chart");
      assertThat(texts(extenderArguments(chart).path("extender.managedResources")))
          .containsExactlyInAnyOrderElementsOf(
              io.github.volcanovgpu.bridge.vendor.VendorCatalog.kinds(config).resourceNames());
    }
  }

  @Test
  void notesPrintTheSameSchedulerConfAndWarnAgainstDeviceshareVgpu() {
    String notes = RenderedChart.notes(Map.of());
    List<String> lines = notes.lines().toList();
    int start = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("    actions:")) {
        start = i;
        break;
      }
    }
    assertThat(start).as("scheduler conf snippet in NOTES:%n%s", notes).isNotNegative();
    StringBuilder snippet = new StringBuilder();
    for (int i = start; i < lines.size() && lines.get(i).startsWith("    "); i++) {
      snippet.append(lines.get(i).substring(4)).append('\n');
    }
    assertThat(RenderedChart.yaml(snippet.toString())).isEqualTo(schedulerConf(defaults));
    assertThat(notes).contains("WARNING: do not enable deviceshare.VGPUEnable");
  }

  // ------------------------------------------------------------------------------------------------ images

  @Test
  void imagesDefaultToTheAppVersion() {
    assertThat(container(defaults.sidecar(), "sidecar").path("image").asText())
        .isEqualTo("ghcr.io/volcano-vgpu/volcano-vgpu:" + VERSION);
    assertThat(container(defaults.devicePlugin(), "device-plugin").path("image").asText())
        .isEqualTo("ghcr.io/volcano-vgpu/volcano-vgpu:" + VERSION);
    assertThat(container(defaults.sidecar(), "sidecar").path("imagePullPolicy").asText()).isEqualTo("IfNotPresent");
  }

  @Test
  void chartVersionAndAppVersionAreTheMavenProjectVersion() throws IOException {
    JsonNode chart = RenderedChart.yaml(Files.readString(RenderedChart.chartDir().resolve("Chart.yaml")));
    assertThat(chart.path("version").asText()).isEqualTo(VERSION);
    assertThat(chart.path("appVersion").asText()).isEqualTo(VERSION);
  }

  @Test
  void theSidecarRunsAsTheImagesNonRootUserAndTheDevicePluginAsRoot() {
    // the image's user is 65532; the device plugin needs root for the kubelet's socket directory and NVML
    JsonNode pod = defaults.sidecar().path("spec").path("template").path("spec");
    assertThat(pod.path("securityContext").path("runAsUser").asInt()).isEqualTo(65532);
    JsonNode plugin = container(defaults.devicePlugin(), "device-plugin");
    assertThat(plugin.path("securityContext").path("runAsUser").isInt()).isTrue();
    assertThat(plugin.path("securityContext").path("runAsUser").asInt()).isZero();
    assertThat(initContainer(defaults.devicePlugin(), "install-libvgpu").path("securityContext").path("runAsUser")
        .asInt(-1)).isZero();
  }

  @Test
  void globalImageOverrideChangesRegistryAndPolicyButNeverAComponentTag() {
    Map<String, Object> sets = new LinkedHashMap<>();
    sets.put("global.imageRegistry", "mirror.example.com:5000");
    sets.put("global.imageTag", "9.9.9");
    sets.put("global.imagePullPolicy", "Always");
    sets.put("sidecar.image.tag", "1.2.3");
    sets.put("devicePlugin.libvgpu.image.tag", "lib-7");
    RenderedChart chart = RenderedChart.render(sets);
    JsonNode sidecar = container(chart.sidecar(), "sidecar");
    JsonNode plugin = container(chart.devicePlugin(), "device-plugin");
    JsonNode init = initContainer(chart.devicePlugin(), "install-libvgpu");
    assertThat(sidecar.path("image").asText()).isEqualTo("mirror.example.com:5000/volcano-vgpu/volcano-vgpu:1.2.3");
    assertThat(plugin.path("image").asText()).isEqualTo("mirror.example.com:5000/volcano-vgpu/volcano-vgpu:9.9.9");
    assertThat(init.path("image").asText()).isEqualTo("mirror.example.com:5000/volcano-vgpu/libvgpu:lib-7");
    for (JsonNode c : List.of(sidecar, plugin, init)) {
      assertThat(c.path("imagePullPolicy").asText()).isEqualTo("Always");
    }
  }

  @Test
  void componentPullPolicyAndPullSecretsApply() {
    Map<String, Object> sets = new LinkedHashMap<>();
    sets.put("devicePlugin.image.pullPolicy", "Never");
    sets.put("global.imagePullSecrets[0]", "regcred");
    RenderedChart chart = RenderedChart.render(sets);
    assertThat(container(chart.devicePlugin(), "device-plugin").path("imagePullPolicy").asText()).isEqualTo("Never");
    assertThat(container(chart.sidecar(), "sidecar").path("imagePullPolicy").asText()).isEqualTo("IfNotPresent");
    for (JsonNode workload : List.of(chart.sidecar(), chart.devicePlugin())) {
      assertThat(workload.path("spec").path("template").path("spec").path("imagePullSecrets").get(0).path("name")
          .asText()).isEqualTo("regcred");
    }
  }

  // ------------------------------------------------------------------------------------------------ monitoring

  @Test
  void monitorArgsAreOptionsTheMonitorAcceptsOnHamisPort() {
    List<String> args = args(container(defaults.devicePlugin(), "monitor"));
    assertThat(args.get(0)).isEqualTo("monitor");
    CommandLine.ParseResult parsed = new CommandLine(new MonitorMain())
        .parseArgs(args.subList(1, args.size()).toArray(String[]::new));
    assertThat(parsed.matchedOptionValue("--hook-path", (Object) null)).hasToString("/usr/local/vgpu");
    assertThat(parsed.matchedOptionValue("--pod-resources-socket", (Object) null))
        .hasToString("/var/lib/kubelet/pod-resources/kubelet.sock");
    assertThat(parsed.matchedOptionValue("--metrics-bind-address", "")).isEqualTo(":9394");
    assertThat(parsed.hasMatchedOption("--legacy-metrics")).isFalse();
    assertThat(args(container(RenderedChart.render("devicePlugin.monitor.legacyMetrics", true).devicePlugin(),
        "monitor"))).contains("--legacy-metrics");
    List<String> plugin = args(container(defaults.devicePlugin(), "device-plugin"));
    assertThat(plugin).as("the device plugin's own metrics leave HAMi's monitor port to the monitor")
        .contains("--metrics-bind-address=:9396");
  }

  @Test
  void monitorReadsTheHookPathReadOnlyAndThePodResourcesSocketWithTheNodesPids() {
    JsonNode ds = defaults.devicePlugin();
    JsonNode c = container(ds, "monitor");
    assertThat(mounts(c)).containsExactlyInAnyOrderEntriesOf(Map.of("/usr/local/vgpu", "hook",
        "/var/lib/kubelet/pod-resources", "pod-resources"));
    assertThat(stream(c.path("volumeMounts")).filter(m -> m.path("name").asText().equals("hook")).findFirst()
        .orElseThrow().path("readOnly").asBoolean()).isTrue();
    assertThat(volume(ds, "pod-resources").path("hostPath").path("path").asText())
        .isEqualTo("/var/lib/kubelet/pod-resources");
    assertThat(ds.path("spec").path("template").path("spec").path("hostPID").asBoolean()).isTrue();
    assertThat(env(c)).containsEntry("NODE_NAME", "spec.nodeName").containsEntry("HOOK_PATH", "/usr/local/vgpu");
    assertThat(stream(c.path("ports")).map(p -> p.path("name").asText() + ":" + p.path("containerPort").asInt()))
        .containsExactly("monitor:9394");
  }

  @Test
  void monitorServiceIsHeadlessOrHamisNodePortAndGoesAwayWithTheMonitor() {
    JsonNode svc = defaults.get("Service", DEVICE_PLUGIN + "-monitor");
    assertThat(svc.path("spec").path("clusterIP").asText()).isEqualTo("None");
    assertThat(stream(svc.path("spec").path("ports")).map(p -> p.path("name").asText() + ":"
        + p.path("port").asInt() + "->" + p.path("targetPort").asText())).containsExactly("monitor:9394->monitor");
    assertThat(svc.path("spec").path("selector").path("app.kubernetes.io/component").asText())
        .isEqualTo("device-plugin");
    JsonNode nodePort = RenderedChart.render("devicePlugin.monitor.service.type", "NodePort")
        .get("Service", DEVICE_PLUGIN + "-monitor");
    assertThat(nodePort.path("spec").path("type").asText()).isEqualTo("NodePort");
    assertThat(nodePort.path("spec").path("ports").get(0).path("nodePort").asInt()).isEqualTo(31992);
    Map<String, Object> off = new LinkedHashMap<>();
    off.put("devicePlugin.monitor.enabled", false);
    off.put("serviceMonitor.assumeCrdsPresent", true);
    RenderedChart without = RenderedChart.render(off);
    assertThat(kinds(without)).doesNotContain("Service/" + DEVICE_PLUGIN + "-monitor");
    assertThat(stream(without.devicePlugin().path("spec").path("template").path("spec").path("containers"))
        .map(x -> x.path("name").asText())).containsExactly("device-plugin");
    assertThat(without.devicePlugin().path("spec").path("template").path("spec").has("hostPID")).isFalse();
    assertThat(without.ofKind("ServiceMonitor")).hasSize(2);
  }

  @Test
  void serviceMonitorsOnlyWhenThePrometheusApiIsThere() {
    assertThat(defaults.ofKind("ServiceMonitor")).as("no monitoring.coreos.com/v1 in a plain render").isEmpty();
    RenderedChart chart = RenderedChart.render("serviceMonitor.assumeCrdsPresent", true);
    List<JsonNode> monitors = chart.ofKind("ServiceMonitor");
    assertThat(monitors).hasSize(3);
    for (JsonNode monitor : monitors) {
      JsonNode selector = monitor.path("spec").path("selector").path("matchLabels");
      List<JsonNode> services = chart.ofKind("Service").stream()
          .filter(s -> labelsMatch(s.path("metadata").path("labels"), selector)).toList();
      assertThat(services).as("services selected by %s", monitor.path("metadata").path("name")).hasSize(1);
      String port = monitor.path("spec").path("endpoints").get(0).path("port").asText();
      assertThat(stream(services.get(0).path("spec").path("ports")).map(p -> p.path("name").asText()))
          .contains(port);
    }
    Map<String, Object> off = new LinkedHashMap<>();
    off.put("serviceMonitor.assumeCrdsPresent", true);
    off.put("serviceMonitor.enabled", false);
    assertThat(RenderedChart.render(off).ofKind("ServiceMonitor")).isEmpty();
  }

  // ------------------------------------------------------------------------------------------------ bad values

  @Test
  void valuesThatVolcanoOrThePluginWouldMisreadAreRejectedNamingTheKey() {
    assertThatThrownBy(() -> RenderedChart.render("scheduler.httpTimeout", 2))
        .hasMessageContaining("httpTimeout");
    assertThatThrownBy(() -> RenderedChart.render("scheduler.httpTimeout", "2 seconds"))
        .hasMessageContaining("httpTimeout");
    assertThatThrownBy(() -> RenderedChart.render("migStrategy", "sometimes"))
        .hasMessageContaining("migStrategy");
    assertThatThrownBy(() -> RenderedChart.render("cdi.deviceListStrategy", "cdi"))
        .hasMessageContaining("deviceListStrategy");
    assertThatThrownBy(() -> RenderedChart.render("nodeConfig.configs[0].operatingmode", "mps"))
        .hasMessageContaining("operatingmode");
    assertThatThrownBy(() -> RenderedChart.render("sidecar.policy", "random"))
        .hasMessageContaining("policy");
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private static Set<String> kinds(RenderedChart chart) {
    Set<String> kinds = new TreeSet<>();
    chart.objects().forEach(o -> kinds.add(o.path("kind").asText() + "/" + o.path("metadata").path("name").asText()));
    return kinds;
  }

  /** "group/resource" to verbs. */
  // ------------------------------------------------------------------------------------------------ admission

  @Test
  void bothWebhookConfigurationsCallTheSidecarServiceForPodCreation() {
    for (String kind : List.of("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")) {
      JsonNode hook = defaults.get(kind, SIDECAR).path("webhooks").get(0);
      JsonNode service = hook.path("clientConfig").path("service");
      assertThat(service.path("name").asText()).isEqualTo(SIDECAR);
      assertThat(service.path("namespace").asText()).isEqualTo(NAMESPACE);
      assertThat(service.path("port").asInt()).isEqualTo(8716);
      assertThat(service.path("path").asText())
          .isEqualTo(kind.startsWith("Mutating") ? AdmissionContract.MUTATE_PATH : AdmissionContract.VALIDATE_PATH);
      assertThat(texts(hook.path("admissionReviewVersions"))).containsExactly("v1");
      assertThat(hook.path("sideEffects").asText()).isEqualTo("None");
      assertThat(hook.path("failurePolicy").asText()).isEqualTo("Ignore");
      assertThat(hook.path("timeoutSeconds").asInt()).isEqualTo(10);
      JsonNode rule = hook.path("rules").get(0);
      assertThat(texts(rule.path("operations"))).containsExactly("CREATE");
      assertThat(texts(rule.path("resources"))).containsExactly("pods");
      assertThat(selector(hook.path("objectSelector")))
          .containsEntry(AdmissionContract.OPT_OUT_LABEL, "NotIn " + List.of(AdmissionContract.OPT_OUT_VALUE));
      assertThat(selector(hook.path("namespaceSelector")))
          .containsEntry(AdmissionContract.OPT_OUT_LABEL, "NotIn " + List.of(AdmissionContract.OPT_OUT_VALUE))
          .containsEntry("kubernetes.io/metadata.name", "NotIn " + List.of("kube-system", NAMESPACE));
    }
  }

  @Test
  void onlyTheValidatingWebhookReviewsVcjobsAndTheModeReachesTheSidecar() {
    JsonNode vcjobs = defaults.get("ValidatingWebhookConfiguration", SIDECAR).path("webhooks").get(0).path("rules")
        .get(1);
    assertThat(texts(vcjobs.path("apiGroups"))).containsExactly(AdmissionContract.VCJOB_GROUP);
    assertThat(texts(vcjobs.path("resources"))).containsExactly(AdmissionContract.VCJOB_RESOURCE);
    assertThat(texts(vcjobs.path("operations"))).containsExactly("CREATE");
    assertThat(defaults.get("MutatingWebhookConfiguration", SIDECAR).path("webhooks").get(0).path("rules").size())
        .isEqualTo(1);
    CommandLine.ParseResult bridge = new CommandLine(new BridgeMain())
        .parseArgs(args(container(defaults.sidecar(), "sidecar")).toArray(String[]::new)).subcommand();
    assertThat(bridge.matchedOptionValue("--webhook-vcjob-quota", (Object) null)).hasToString("USAGE");

    RenderedChart off = RenderedChart.render("admission.vcjobQuota", "off");
    assertThat(off.get("ValidatingWebhookConfiguration", SIDECAR).path("webhooks").get(0).path("rules").size())
        .isEqualTo(1);
    assertThat(args(container(off.sidecar(), "sidecar"))).contains("--webhook-vcjob-quota=off");
  }

  @Test
  void theHelmGeneratedCaSignsTheServingCertificateTheSidecarMounts() throws Exception {
    JsonNode secret = defaults.get("Secret", SIDECAR + "-webhook-tls");
    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    X509Certificate ca = (X509Certificate) x509.generateCertificate(new ByteArrayInputStream(
        Base64.getDecoder().decode(secret.path("data").path("ca.crt").asText())));
    X509Certificate cert = (X509Certificate) x509.generateCertificate(new ByteArrayInputStream(
        Base64.getDecoder().decode(secret.path("data").path("tls.crt").asText())));
    cert.verify(ca.getPublicKey());
    List<String> names = cert.getSubjectAlternativeNames().stream().map(n -> n.get(1).toString()).toList();
    assertThat(names).contains(SIDECAR + "." + NAMESPACE + ".svc");
    for (String kind : List.of("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")) {
      assertThat(defaults.get(kind, SIDECAR).path("webhooks").get(0).path("clientConfig").path("caBundle").asText())
          .isEqualTo(secret.path("data").path("ca.crt").asText());
    }
    JsonNode c = container(defaults.sidecar(), "sidecar");
    assertThat(mounts(c)).containsEntry("/webhook-tls", "webhook-tls");
    assertThat(volume(defaults.sidecar(), "webhook-tls").path("secret").path("secretName").asText())
        .isEqualTo(SIDECAR + "-webhook-tls");
    CommandLine.ParseResult bridge = new CommandLine(new BridgeMain())
        .parseArgs(args(c).toArray(String[]::new)).subcommand();
    assertThat(bridge.matchedOptionValue("--webhook-bind", "")).isEqualTo("0.0.0.0:8716");
    assertThat(bridge.matchedOptionValue("--webhook-cert-file", (Object) null)).hasToString("/webhook-tls/tls.crt");
    assertThat(bridge.matchedOptionValue("--webhook-key-file", (Object) null)).hasToString("/webhook-tls/tls.key");
    assertThat(bridge.matchedOptionValue("--webhook-scheduler-name", "")).isEqualTo("volcano");
    assertThat(bridge.hasMatchedOption("--webhook-allow-privileged")).isFalse();
  }

  @Test
  void failurePolicyAndPrivilegedSwitchesReachTheirPlaces() {
    RenderedChart chart = RenderedChart.render(Map.of("admission.failurePolicy", "Fail",
        "admission.allowPrivileged", true, "admission.runtimeClassName", "nvidia"));
    assertThat(chart.get("ValidatingWebhookConfiguration", SIDECAR).path("webhooks").get(0).path("failurePolicy")
        .asText()).isEqualTo("Fail");
    assertThat(args(container(chart.sidecar(), "sidecar"))).contains("--webhook-allow-privileged",
        "--webhook-runtime-class-name=nvidia");
  }

  @Test
  void certManagerIssuesTheCertificateAndInjectsTheCa() {
    RenderedChart chart = RenderedChart.render("admission.certificates.source", "cert-manager");
    JsonNode certificate = chart.get("Certificate", SIDECAR + "-webhook");
    assertThat(certificate.path("spec").path("secretName").asText()).isEqualTo(SIDECAR + "-webhook-tls");
    assertThat(texts(certificate.path("spec").path("dnsNames"))).contains(SIDECAR + "." + NAMESPACE + ".svc");
    assertThat(certificate.path("spec").path("issuerRef").path("name").asText())
        .isEqualTo(chart.get("Issuer", SIDECAR + "-webhook-selfsigned").path("metadata").path("name").asText());
    assertThat(chart.ofKind("Secret")).isEmpty();
    JsonNode hook = chart.get("MutatingWebhookConfiguration", SIDECAR);
    assertThat(hook.path("metadata").path("annotations").path("cert-manager.io/inject-ca-from").asText())
        .isEqualTo(NAMESPACE + "/" + SIDECAR + "-webhook");
    assertThat(hook.path("webhooks").get(0).path("clientConfig").has("caBundle")).isFalse();
  }

  @Test
  void admissionOffRendersNoWebhookAndNoFlags() {
    RenderedChart chart = RenderedChart.render("admission.enabled", false);
    assertThat(chart.ofKind("MutatingWebhookConfiguration")).isEmpty();
    assertThat(chart.ofKind("ValidatingWebhookConfiguration")).isEmpty();
    assertThat(chart.ofKind("Secret")).isEmpty();
    assertThat(args(container(chart.sidecar(), "sidecar"))).noneMatch(a -> a.startsWith("--webhook"));
  }

  /** label key to "Operator [values]" of a selector's matchExpressions. */
  private static Map<String, String> selector(JsonNode selector) {
    Map<String, String> out = new LinkedHashMap<>();
    stream(selector.path("matchExpressions")).forEach(e -> out.put(e.path("key").asText(),
        e.path("operator").asText() + " " + texts(e.path("values"))));
    return out;
  }

  private static Map<String, Set<String>> rules(JsonNode role) {
    Map<String, Set<String>> rules = new LinkedHashMap<>();
    for (JsonNode rule : role.path("rules")) {
      for (String group : texts(rule.path("apiGroups"))) {
        for (String resource : texts(rule.path("resources"))) {
          rules.computeIfAbsent(group + "/" + resource, k -> new TreeSet<>()).addAll(texts(rule.path("verbs")));
        }
      }
    }
    return rules;
  }

  private static JsonNode deviceConfig(RenderedChart chart) {
    return RenderedChart.yaml(chart.get("ConfigMap", "volcano-vgpu-device-config").path("data")
        .path("device-config.yaml").asText());
  }

  /** For the first entry whose models contain {@code model}: "group:name/memory x count,..." per group. */
  private static List<String> geometry(JsonNode known, String model) {
    JsonNode entry = stream(known).filter(k -> texts(k.path("models")).contains(model)).findFirst().orElseThrow();
    List<String> groups = new ArrayList<>();
    for (JsonNode group : entry.path("allowedGeometries")) {
      List<String> parts = new ArrayList<>();
      for (JsonNode g : group.path("geometries")) {
        parts.add(g.path("name").asText() + "/" + g.path("memory").asInt() + "x" + g.path("count").asInt());
      }
      groups.add(group.path("group").asText() + ":" + String.join(",", parts));
    }
    return groups;
  }

  private static JsonNode schedulerConf(RenderedChart chart) {
    return RenderedChart.yaml(chart.get("ConfigMap", RELEASE + "-volcano-vgpu-scheduler-conf").path("data")
        .path("volcano-scheduler.conf").asText());
  }

  private static JsonNode extenderArguments(RenderedChart chart) {
    for (JsonNode tier : schedulerConf(chart).path("tiers")) {
      for (JsonNode plugin : tier.path("plugins")) {
        if (plugin.path("name").asText().equals("extender")) {
          return plugin.path("arguments");
        }
      }
    }
    throw new AssertionError("no extender plugin in the scheduler conf");
  }

  private static String checksum(JsonNode workload) {
    return workload.path("spec").path("template").path("metadata").path("annotations").path("checksum/device-config")
        .asText();
  }

  private static boolean labelsMatch(JsonNode labels, JsonNode selector) {
    var it = selector.fields();
    while (it.hasNext()) {
      var e = it.next();
      if (!e.getValue().asText().equals(labels.path(e.getKey()).asText())) {
        return false;
      }
    }
    return true;
  }

  private static String mavenVersion() {
    try {
      Matcher m = Pattern.compile("(?m)^  <version>([^<]+)</version>$").matcher(Files.readString(
          RenderedChart.chartDir().resolve("../../pom.xml").normalize()));
      if (!m.find()) {
        throw new IllegalStateException("no <version> in the root pom.xml");
      }
      return m.group(1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
