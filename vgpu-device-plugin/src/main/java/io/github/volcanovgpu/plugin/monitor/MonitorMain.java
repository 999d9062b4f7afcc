package io.github.volcanovgpu.plugin.monitor;

import io.github.volcanovgpu.plugin.kubelet.UnixTransport;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.FakeGpuBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.GpuBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.NvmlGpuBackend;
import io.github.volcanovgpu.process.Cli;
import io.github.volcanovgpu.process.DaemonThreads;
import io.github.volcanovgpu.process.HostPort;
import io.github.volcanovgpu.process.MetricsServer;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./volcano-vgpu monitor}: the vGPU node monitor. Wiring only. */
@Command(name = "monitor", mixinStandardHelpOptions = true,
    description = "Export what every container really uses of its vGPU share on this node (libvgpu's regions, the "
        + "kubelet's pod-resources API, the driver), with HAMi's vGPUmonitor metric names, and record Events where "
        + "a share is exceeded or a process uses a card without one.")
public final class MonitorMain implements Callable<Integer> {
  static final String PROGRAM = "volcano-vgpu";
  private static final Logger LOG = LoggerFactory.getLogger(MonitorMain.class);

  @Option(names = "--node-name", defaultValue = "${env:NODE_NAME}", description = "This node (env NODE_NAME).")
  @Nullable
  String nodeName;

  @Option(names = "--kubeconfig", description = "kubeconfig file (default: in-cluster configuration).")
  @Nullable
  Path kubeconfig;

  @Option(names = "--no-kube", description = "Record no Events (metrics only; no API server needed).")
  boolean noKube;

  @Option(names = "--hook-path", defaultValue = "${env:HOOK_PATH:-/usr/local/vgpu}",
      description = "The device plugin's host hook path: regions under <hook-path>/vgpu/containers, limits files "
          + "under <hook-path>/vgpu/limits (env HOOK_PATH; default: ${DEFAULT-VALUE}).")
  Path hookPath = Path.of("/usr/local/vgpu");

  @Option(names = "--pod-resources-socket", defaultValue = "/var/lib/kubelet/pod-resources/kubelet.sock",
      description = "The kubelet's pod-resources API socket (default: ${DEFAULT-VALUE}).")
  Path podResourcesSocket = KubeletPodResources.DEFAULT_SOCKET;

  @Option(names = "--proc-root", defaultValue = "/proc",
      description = "The node's /proc (the pod runs with hostPID), to tell killed processes from live ones "
          + "(default: ${DEFAULT-VALUE}).")
  Path procRoot = Path.of("/proc");

  @Option(names = "--fake-gpus", description = "Use a fake GPU backend: a YAML file or a count (e.g. 2).")
  @Nullable
  String fakeGpus;

  @Option(names = "--driver-root", defaultValue = "${env:NVIDIA_DRIVER_ROOT:-/}",
      description = "Where the NVIDIA driver is installed (env NVIDIA_DRIVER_ROOT; default: ${DEFAULT-VALUE}).")
  Path driverRoot = Path.of("/");

  @Option(names = "--metrics-bind-address", defaultValue = ":9394",
      description = "Prometheus /metrics address, HAMi's vGPUmonitor port by default (default: ${DEFAULT-VALUE}).")
  String metricsBind = ":9394";

  @Option(names = "--legacy-metrics",
      description = "Also export HAMi's pre-2.9 metric names and labels (vGPU_device_memory_usage_in_bytes...).")
  boolean legacyMetrics;

  @Option(names = "--event-interval", defaultValue = "PT15S",
      description = "How often the node is read for Events (ISO-8601, PT0S disables Events; default: "
          + "${DEFAULT-VALUE}).")
  Duration eventInterval = Duration.ofSeconds(15);

  private final Map<String, String> env;

  public MonitorMain() {
    this(System.getenv());
  }

  MonitorMain(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  public static void main(String[] args) {
    Cli.exit(new MonitorMain(), PROGRAM, args);
  }

  static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
    return Cli.run(new MonitorMain(env), PROGRAM, args, out, err);
  }

  @Override
  public Integer call() throws Exception {
    Cli.routeJulToSlf4j();
    if (nodeName == null || nodeName.isBlank()) {
      throw new IllegalArgumentException("--node-name (or env NODE_NAME) is required");
    }
    HostPort bind = HostPort.parse(metricsBind, "--metrics-bind-address");
    if (eventInterval.isNegative()) {
      throw new IllegalArgumentException("--event-interval must be >= 0, got " + eventInterval);
    }
    KubeClients kube = noKube ? null : KubeClients.create(Optional.ofNullable(kubeconfig), env);
    GpuBackend gpus = fakeGpus != null ? FakeGpuBackend.fromArgument(fakeGpus)
        : new NvmlGpuBackend(driverRoot, Clock.systemUTC());
    UnixTransport transport = new UnixTransport();
    KubeletPodResources kubelet = new KubeletPodResources(transport, podResourcesSocket, Duration.ofSeconds(10));
    Path vgpu = hookPath.resolve("vgpu");
    NodeMonitor monitor = new NodeMonitor(new RegionDirectory(vgpu.resolve("containers"), vgpu.resolve("limits"),
        ProcessTable.proc(procRoot)), kubelet, gpus, Clock.systemUTC());
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    meters.getPrometheusRegistry().register(new MonitorMetrics(monitor::read, legacyMetrics));
    MetricsServer metrics = new MetricsServer(bind, meters::scrape).start();
    LOG.info("monitoring node {}: regions under {}, kubelet at {}, metrics on {}{}", nodeName, vgpu,
        podResourcesSocket, bind, legacyMetrics ? " (with legacy names)" : "");
    ScheduledExecutorService events = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("monitor-events"));
    if (kube != null && !eventInterval.isZero()) {
      FindingEvents findings = new FindingEvents(new KubeEventSink(kube.requests(), nodeName, Clock.systemUTC()));
      events.scheduleWithFixedDelay(() -> {
        try {
          findings.report(monitor.read().usage().findings());
        } catch (RuntimeException e) {
          LOG.warn("reading the node for events failed: {}", e.getMessage());
        }
      }, eventInterval.toMillis(), eventInterval.toMillis(), TimeUnit.MILLISECONDS);
    }
    Cli.serveUntilShutdown("monitor-shutdown", () -> {
      events.shutdownNow();
      metrics.close();
      kubelet.close();
      transport.close();
      gpus.close();
    });
    return Cli.OK;
  }
}
