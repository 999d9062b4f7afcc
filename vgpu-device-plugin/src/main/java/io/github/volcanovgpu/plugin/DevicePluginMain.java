package io.github.volcanovgpu.plugin;

import io.github.volcanovgpu.cdi.CdiAnnotations;
import io.github.volcanovgpu.cdi.CdiException;
import io.github.volcanovgpu.cdi.Kind;
import io.github.volcanovgpu.cdi.nvidia.MigMinors;
import io.github.volcanovgpu.mig.gpu.MigDevicePort;
import io.github.volcanovgpu.mig.gpu.NvmlMigDevicePort;
import io.github.volcanovgpu.mig.profile.ProfileCatalogue;
import io.github.volcanovgpu.plugin.cdi.DeviceListSettings;
import io.github.volcanovgpu.plugin.cdi.DeviceListStrategy;
import io.github.volcanovgpu.plugin.device.DeviceBackend;
import io.github.volcanovgpu.plugin.mig.MigMinorsFile;
import io.github.volcanovgpu.plugin.mig.MigStrategy;
import io.github.volcanovgpu.plugin.register.PluginSettings;
import io.github.volcanovgpu.plugin.vendor.ascend.AscendBackend;
import io.github.volcanovgpu.plugin.vendor.ascend.AscendDcmiPort;
import io.github.volcanovgpu.plugin.vendor.ascend.AscendSettings;
import io.github.volcanovgpu.plugin.vendor.ascend.FakeDcmiPort;
import io.github.volcanovgpu.plugin.vendor.ascend.JnaDcmiPort;
import io.github.volcanovgpu.plugin.vendor.nvidia.NvidiaBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.FakeGpuBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.FakeMigBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.GpuBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.NvmlGpuBackend;
import io.github.volcanovgpu.plugin.vendor.vastai.DeviceStrategy;
import io.github.volcanovgpu.plugin.vendor.vastai.FakeVastaiPort;
import io.github.volcanovgpu.plugin.vendor.vastai.VastaiBackend;
import io.github.volcanovgpu.process.Cli;
import io.github.volcanovgpu.process.DaemonThreads;
import io.github.volcanovgpu.process.HostPort;
import io.github.volcanovgpu.process.MetricsServer;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./volcano-vgpu device-plugin}: the kubelet device plugin for vGPU sharing. Wiring only. */
@Command(name = "device-plugin", mixinStandardHelpOptions = true,
    description = "Register the node's device kinds (NVIDIA volcano.sh/vgpu-*, Ascend huawei.com/<chip>, Vastai "
        + "vastaitech.com/va) with the kubelet and answer Allocate.")
public final class DevicePluginMain implements Callable<Integer> {
  static final String PROGRAM = "volcano-vgpu";
  private static final Logger LOG = LoggerFactory.getLogger(DevicePluginMain.class);
  static final String KIND_NVIDIA = "nvidia";
  static final String KIND_ASCEND = "ascend";
  static final String KIND_VASTAI = "vastai";
  static final List<String> KINDS = List.of(KIND_NVIDIA, KIND_ASCEND, KIND_VASTAI);

  @Option(names = "--node-name", defaultValue = "${env:NODE_NAME}", description = "This node (env NODE_NAME).")
  @Nullable
  String nodeName;

  @Option(names = "--device-plugin-path", defaultValue = "/var/lib/kubelet/device-plugins",
      description = "Kubelet device-plugin directory (default: ${DEFAULT-VALUE}).")
  Path devicePluginPath = Path.of("/var/lib/kubelet/device-plugins");

  @Option(names = "--kubeconfig", description = "kubeconfig file (default: in-cluster configuration).")
  @Nullable
  Path kubeconfig;

  @Option(names = "--no-kube", description = "Serve the kubelet only: no node annotation, Allocate fails.")
  boolean noKube;

  @Option(names = "--device-config", defaultValue = "/config/device-config.yaml",
      description = "device-config.yaml of the volcano-vgpu-device-config ConfigMap, mounted (defaults when "
          + "absent; default: ${DEFAULT-VALUE}).")
  Path deviceConfig = Path.of("/config/device-config.yaml");

  @Option(names = "--node-config", defaultValue = "/config/config.json",
      description = "config.json of the volcano-vgpu-node-config ConfigMap (optional; default: ${DEFAULT-VALUE}).")
  Path nodeConfig = Path.of("/config/config.json");

  @Option(names = "--fake-gpus", description = "Use a fake GPU backend: a YAML file or a count (e.g. 2).")
  @Nullable
  String fakeGpus;

  @Option(names = "--driver-root", defaultValue = "${env:NVIDIA_DRIVER_ROOT:-/}",
      description = "Where the NVIDIA driver is installed (env NVIDIA_DRIVER_ROOT; default: ${DEFAULT-VALUE}).")
  Path driverRoot = Path.of("/");

  @Option(names = "--hook-path", defaultValue = "${env:HOOK_PATH:-/usr/local/vgpu}",
      description = "Host directory with libvgpu.so and ld.so.preload (env HOOK_PATH; default: ${DEFAULT-VALUE}).")
  Path hookPath = Path.of("/usr/local/vgpu");

  @Option(names = "--device-split-count", description = "Override deviceSplitCount of the ConfigMap.")
  @Nullable
  Integer splitCount;

  @Option(names = "--gpu-memory-factor", description = "Override gpuMemoryFactor of the ConfigMap.")
  @Nullable
  Integer memoryFactor;

  @Option(names = "--device-cores-scaling", description = "Override deviceCoreScaling of the ConfigMap.")
  @Nullable
  Double coreScaling;

  @Option(names = "--core-utilization-policy", defaultValue = "${env:GPU_CORE_UTILIZATION_POLICY:-}",
      description = "GPU_CORE_UTILIZATION_POLICY given to containers: default, force or disable.")
  String corePolicy = "";

  @Option(names = "--legacy-handshake", description = "Also write volcano.sh/node-vgpu-handshake (Volcano <= 1.15).")
  boolean legacyHandshake;

  @Option(names = "--register-interval", defaultValue = "PT30S",
      description = "Node annotation refresh (ISO-8601; default: ${DEFAULT-VALUE}).")
  Duration registerInterval = Duration.ofSeconds(30);

  @Option(names = "--config-check-interval", defaultValue = "PT10S",
      description = "How often --device-config and --node-config are checked for changes; a valid change restarts "
          + "the plugin with it (ISO-8601, PT0S disables; default: ${DEFAULT-VALUE}).")
  Duration configCheckInterval = Duration.ofSeconds(10);

  @Option(names = "--device-list-strategy", defaultValue = "${env:DEVICE_LIST_STRATEGY:-envvar}",
      description = "How devices reach the runtime, a comma list of envvar, volume-mounts, cdi-annotations, cdi-cri "
          + "(env DEVICE_LIST_STRATEGY; default: ${DEFAULT-VALUE}). With only cdi-* no NVIDIA_VISIBLE_DEVICES is set.")
  String deviceListStrategy = "envvar";

  @Option(names = "--cdi-annotation-prefix", defaultValue = "${env:CDI_ANNOTATION_PREFIX:-cdi.k8s.io/}",
      description = "Key prefix of the cdi-annotations strategy (env CDI_ANNOTATION_PREFIX; default: "
          + "${DEFAULT-VALUE}).")
  String cdiAnnotationPrefix = CdiAnnotations.PREFIX;

  @Option(names = "--cdi-kind", defaultValue = "${env:CDI_KIND:-k8s.device-plugin.nvidia.com/gpu}",
      description = "CDI vendor/class of the generated specs and device names (env CDI_KIND; default: "
          + "${DEFAULT-VALUE}).")
  String cdiKind = "k8s.device-plugin.nvidia.com/gpu";

  @Option(names = "--cdi-driver-kind", defaultValue = "${env:CDI_DRIVER_KIND:-}",
      description = "Also name <kind>=<uuid> of a driver spec from nvidia-ctk cdi generate (e.g. nvidia.com/gpu) in "
          + "/etc/cdi or --cdi-root, so the runtime injects the driver libraries (env CDI_DRIVER_KIND; default: none).")
  String cdiDriverKind = "";

  @Option(names = "--cdi-root", defaultValue = "${env:CDI_ROOT:-/var/run/cdi}",
      description = "Directory the CDI specs are written to (env CDI_ROOT; default: ${DEFAULT-VALUE}).")
  Path cdiRoot = Path.of("/var/run/cdi");

  @Option(names = "--cdi-dev-root", defaultValue = "${env:CDI_DEV_ROOT:-/}",
      description = "Host directory holding the dev/ of the device nodes the CDI specs name, as nvidia-ctk's "
          + "--dev-root: / normally, the driver root where a driver container keeps its own /dev (env CDI_DEV_ROOT; "
          + "default: ${DEFAULT-VALUE}).")
  Path cdiDevRoot = Path.of("/");

  @Option(names = "--mig-strategy", defaultValue = "${env:MIG_STRATEGY:-none}",
      description = "Static MIG layouts: none (whole GPUs only), single (every MIG device is one ID of the count "
          + "resource; all GPUs one profile), mixed (nvidia.com/mig-<profile> per profile) (env MIG_STRATEGY; "
          + "default: ${DEFAULT-VALUE}). Dynamic MIG is the node config's operatingmode: mig instead.")
  String migStrategy = "none";

  @Option(names = "--mig-minors", defaultValue = "${env:MIG_MINORS:-/proc/driver/nvidia-caps/mig-minors}",
      description = "The driver's MIG capability minors, for the GI/CI nodes of MIG devices in CDI specs (env "
          + "MIG_MINORS; default: ${DEFAULT-VALUE}; with --fake-mig a driver-like table when the file is absent).")
  Path migMinors = MigMinorsFile.DEFAULT;

  @Option(names = "--fake-mig", description = "Fake MIG machine: a mig-manager fake GPU file (gpus: [{model, uuid, "
      + "migEnabled, runningClients, instances}]); the plugin's GPUs are that machine's cards (not with --fake-gpus).")
  @Nullable
  Path fakeMig;

  @Option(names = "--device-kinds", defaultValue = "${env:DEVICE_KINDS:-}",
      description = "Device kinds this node serves, a comma list of nvidia, ascend, vastai (env DEVICE_KINDS; "
          + "default: the kinds of the --fake-* flags given, else nvidia).")
  String deviceKinds = "";

  @Option(names = "--fake-npus", description = "Fake Ascend machine: a built-in fixture (910B3x8, 910Cx16, 310P3x4) "
      + "or a YAML file (chipName, memoryMib, aiCore, npus: [{phyId, id, networkId, moduleId, numa, health, ...}]).")
  @Nullable
  String fakeNpus;

  @Option(names = "--ascend-driver-root", defaultValue = "${env:ASCEND_DRIVER_ROOT:-/}",
      description = "Where the Ascend driver is installed; libdcmi.so is looked for under it (env "
          + "ASCEND_DRIVER_ROOT; default: ${DEFAULT-VALUE}).")
  Path ascendDriverRoot = Path.of("/");

  @Option(names = "--dcmi-library", defaultValue = "${env:DCMI_LIBRARY:-}",
      description = "The DCMI library to load instead of searching --ascend-driver-root (env DCMI_LIBRARY).")
  String dcmiLibrary = "";

  @Option(names = "--npu-hook-path", defaultValue = "${env:NPU_HOOK_PATH:-" + AscendSettings.DEFAULT_HOOK_PATH + "}",
      description = "Host directory of the NPU limiter (its library and ld.so.preload) for hami-core containers; "
          + "per-container directories and limits files are made under it (env NPU_HOOK_PATH; default: "
          + "${DEFAULT-VALUE}).")
  Path npuHookPath = Path.of(AscendSettings.DEFAULT_HOOK_PATH);

  @Option(names = "--npu-shared-region", defaultValue = "${env:NPU_SHARED_REGION:-"
      + AscendSettings.DEFAULT_SHARED_REGION_PATH + "}",
      description = "Host directory of the node-global NPU time-slice registries (env NPU_SHARED_REGION; default: "
          + "${DEFAULT-VALUE}).")
  Path npuSharedRegion = Path.of(AscendSettings.DEFAULT_SHARED_REGION_PATH);

  @Option(names = "--npu-health-interval", defaultValue = "PT5S",
      description = "How often NPU (DCMI) and Vastai health is polled (ISO-8601, PT0S disables; default: "
          + "${DEFAULT-VALUE}).")
  Duration npuHealthInterval = Duration.ofSeconds(5);

  @Option(names = "--fake-vastai", description = "Fake Vastai machine: a built-in fixture (4x2, 2x4: cards x dies) or a"
      + " YAML file (cards: [{id, dies, memoryMib, numa}]). Vastai is served only on fake machines so far.")
  @Nullable
  String fakeVastai;

  @Option(names = "--device-strategy", defaultValue = "${env:DEVICE_STRATEGY:-card}",
      description = "Vastai: one device per card or per die, card or die (env DEVICE_STRATEGY; default: "
          + "${DEFAULT-VALUE}).")
  String deviceStrategy = "card";

  @Option(names = "--metrics-bind-address", defaultValue = ":9396",
      description = "Prometheus /metrics address, empty to disable (default: ${DEFAULT-VALUE}).")
  String metricsBind = ":9396";

  /** The process environment the in-cluster configuration and the containers' envs are read from. */
  private final Map<String, String> env;

  /** On the process's environment. */
  public DevicePluginMain() {
    this(System.getenv());
  }

  DevicePluginMain(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  public static void main(String[] args) {
    Cli.exit(new DevicePluginMain(), PROGRAM, args);
  }

  /** Runs the CLI and returns the exit code ({@link Cli}: 0 ok, 1 failure, 2 usage); never exits the JVM. */
  static int run(String[] args, PrintWriter out, PrintWriter err) {
    return run(args, out, err, System.getenv());
  }

  /** {@link #run(String[], PrintWriter, PrintWriter)} as if the process environment were {@code env}. */
  static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
    return Cli.run(new DevicePluginMain(env), PROGRAM, args, out, err);
  }

  @Override
  public Integer call() throws Exception {
    Cli.routeJulToSlf4j();
    Optional<HostPort> metricsAddress = metricsBind.isBlank() ? Optional.empty()
        : Optional.of(HostPort.parse(metricsBind, "--metrics-bind-address"));
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Runtime runtime = runtime();
    ReloadingPlugin<DevicePlugin> plugin =
        new ReloadingPlugin<>(deviceConfig, nodeConfig, loaded -> start(runtime, loaded, meters));
    MetricsServer metrics = metricsAddress.map(a -> new MetricsServer(a, meters::scrape).start()).orElse(null);
    metricsAddress.ifPresent(a -> LOG.info("metrics on {}", a));
    ScheduledExecutorService checks =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("config-check"));
    if (!configCheckInterval.isZero()) {
      checks.scheduleWithFixedDelay(() -> {
        try {
          plugin.reloadIfChanged();
        } catch (RuntimeException e) {
          LOG.error("restarting the plugin with the new configuration failed: {}", e.getMessage(), e);
        }
      }, configCheckInterval.toMillis(), configCheckInterval.toMillis(), TimeUnit.MILLISECONDS);
    }
    Cli.serveUntilShutdown("device-plugin-shutdown", () -> {
      checks.shutdownNow();
      plugin.close();
      runtime.close();
      if (metrics != null) {
        metrics.close();
      }
    });
    return Cli.OK;
  }

  /**
   * What outlives a configuration change: the device kinds' hardware ports and the API clients.
   *
   * @param gpus NVIDIA's GPU port, null when the node does not serve nvidia
   * @param others the other kinds' backends (Ascend, Vastai), in that order
   */
  record Runtime(@Nullable GpuBackend gpus, @Nullable Supplier<MigDevicePort> migPort, Supplier<MigMinors> minors,
      List<DeviceBackend> others, @Nullable KubeClients kube) implements AutoCloseable {
    @Override
    public void close() {
      if (gpus != null) {
        gpus.close();
      }
      others.forEach(DeviceBackend::close);
    }
  }

  /** The device kinds to serve: {@code --device-kinds}, else those of the {@code --fake-*} flags, else nvidia. */
  Set<String> kinds() {
    Map<String, String> implied = new LinkedHashMap<>();
    if (fakeGpus != null || fakeMig != null) {
      implied.put(fakeGpus != null ? "--fake-gpus" : "--fake-mig", KIND_NVIDIA);
    }
    if (fakeNpus != null) {
      implied.put("--fake-npus", KIND_ASCEND);
    }
    if (fakeVastai != null) {
      implied.put("--fake-vastai", KIND_VASTAI);
    }
    if (deviceKinds.isBlank()) {
      return implied.isEmpty() ? Set.of(KIND_NVIDIA) : new LinkedHashSet<>(implied.values());
    }
    Set<String> kinds = new LinkedHashSet<>();
    for (String part : deviceKinds.split(",")) {
      String kind = part.trim().toLowerCase(java.util.Locale.ROOT);
      if (!kind.isEmpty() && !KINDS.contains(kind)) {
        throw new IllegalArgumentException("--device-kinds: unknown kind \"" + part.trim() + "\" (want "
            + String.join(", ", KINDS) + ")");
      }
      if (!kind.isEmpty()) {
        kinds.add(kind);
      }
    }
    if (kinds.isEmpty()) {
      throw new IllegalArgumentException("--device-kinds: no kind in \"" + deviceKinds + "\" (want "
          + String.join(", ", KINDS) + ")");
    }
    implied.forEach((flag, kind) -> {
      if (!kinds.contains(kind)) {
        throw new IllegalArgumentException(flag + " describes " + kind + " devices, but --device-kinds is \""
            + deviceKinds + "\"");
      }
    });
    return kinds;
  }

  Runtime runtime() throws Exception {
    if (nodeName == null || nodeName.isBlank()) {
      throw new IllegalArgumentException("--node-name (or env NODE_NAME) is required");
    }
    if (fakeGpus != null && fakeMig != null) {
      throw new IllegalArgumentException("--fake-gpus and --fake-mig both describe the GPUs: give one");
    }
    Set<String> kinds = kinds();
    // before any device port opens, so a missing cluster configuration leaves nothing to close
    KubeClients kube = noKube ? null : KubeClients.create(Optional.ofNullable(kubeconfig), env);
    GpuBackend gpus = null;
    Supplier<MigDevicePort> migPort = null;
    Supplier<MigMinors> minors = MigMinorsFile.reader(migMinors);
    if (!kinds.contains(KIND_NVIDIA)) {
      gpus = null;
    } else if (fakeMig != null) {
      FakeMigBackend fake = FakeMigBackend.load(fakeMig);
      gpus = fake;
      migPort = fake::port;
      if (!Files.exists(migMinors)) {
        String table = MigMinorsFile.synthetic(fake.port().gpus().size());
        minors = () -> MigMinors.parse(table);
      }
    } else if (fakeGpus != null) {
      gpus = FakeGpuBackend.fromArgument(fakeGpus);
    } else {
      gpus = new NvmlGpuBackend(driverRoot, Clock.systemUTC());
      migPort = () -> NvmlMigDevicePort.open(driverRoot, ProfileCatalogue.builtIn());
    }
    List<DeviceBackend> others = new ArrayList<>();
    String node = Objects.requireNonNull(nodeName);
    if (kinds.contains(KIND_ASCEND)) {
      AscendDcmiPort port = fakeNpus != null ? FakeDcmiPort.fromArgument(fakeNpus, node)
          : JnaDcmiPort.open(ascendDriverRoot, dcmiLibrary, node);
      others.add(new AscendBackend(port, new AscendSettings(npuHookPath, npuSharedRegion,
          AscendSettings.DEFAULT_DRIVER_MOUNTS, npuHealthInterval), Clock.systemUTC()));
    }
    if (kinds.contains(KIND_VASTAI)) {
      if (fakeVastai == null) {
        throw new IllegalArgumentException("vastai: no Vastai driver port exists yet; serve a fake machine with "
            + "--fake-vastai " + String.join("|", FakeVastaiPort.FIXTURES) + "|FILE");
      }
      DeviceStrategy strategy = flag("--device-strategy", () -> DeviceStrategy.parse(deviceStrategy));
      others.add(new VastaiBackend(FakeVastaiPort.fromArgument(fakeVastai, node), strategy, npuHealthInterval,
          Clock.systemUTC()));
    }
    return new Runtime(gpus, migPort, minors, others, kube);
  }

  /** Starts the plugin once from the configuration files as they are now (no reloading, no metrics endpoint). */
  DevicePlugin start(PrometheusMeterRegistry meters) throws Exception {
    return start(runtime(), ReloadingPlugin.Loaded.read(deviceConfig, nodeConfig), meters);
  }

  DevicePlugin start(Runtime runtime, ReloadingPlugin.Loaded config, PrometheusMeterRegistry meters) {
    DevicePlugin.Options options = new DevicePlugin.Options(Objects.requireNonNull(nodeName), devicePluginPath,
        config.device(), config.node(), registerInterval, env);
    List<DeviceBackend> backends = new ArrayList<>();
    if (runtime.gpus() != null) {
      backends.add(new NvidiaBackend(runtime.gpus(), runtime.migPort(), nvidiaSettings(runtime.minors())));
    }
    backends.addAll(runtime.others());
    DevicePlugin.Cluster cluster = runtime.kube() == null ? new DevicePlugin.Cluster.None()
        : new DevicePlugin.Cluster.Api(runtime.kube().requests(), runtime.kube().watches());
    return DevicePlugin.start(options, backends, cluster, meters, Clock.systemUTC());
  }

  /** NVIDIA's flags. */
  NvidiaBackend.Settings nvidiaSettings(Supplier<MigMinors> minors) {
    MigStrategy strategy = flag("--mig-strategy", () -> MigStrategy.parse(migStrategy));
    return new NvidiaBackend.Settings(new PluginSettings.Overrides(Optional.ofNullable(splitCount),
        Optional.ofNullable(memoryFactor), Optional.ofNullable(coreScaling)), hookPath, corePolicy, legacyHandshake,
        deviceList(), strategy, minors);
  }

  /** The device-list flags, validated: a bad value is a clear error naming the flag. */
  DeviceListSettings deviceList() {
    var strategies = flag("--device-list-strategy", () -> DeviceListStrategy.parseList(deviceListStrategy));
    Kind kind = flag("--cdi-kind", () -> Kind.parse(cdiKind));
    CdiAnnotations prefix = flag("--cdi-annotation-prefix", () -> new CdiAnnotations(cdiAnnotationPrefix));
    Optional<Kind> driver = cdiDriverKind.isBlank() ? Optional.empty()
        : Optional.of(flag("--cdi-driver-kind", () -> Kind.parse(cdiDriverKind)));
    DeviceListSettings list = flag("--cdi-driver-kind",
        () -> new DeviceListSettings(strategies, kind, prefix, cdiRoot, driver));
    return flag("--cdi-dev-root", () -> list.withDevRoot(cdiDevRoot));
  }

  private static <T> T flag(String name, java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException | CdiException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
    }
  }
}
