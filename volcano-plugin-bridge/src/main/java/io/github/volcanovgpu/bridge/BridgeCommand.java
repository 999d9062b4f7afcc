package io.github.volcanovgpu.bridge;

import io.github.volcanovgpu.bridge.admission.AdmissionCluster;
import io.github.volcanovgpu.bridge.admission.AdmissionPolicy;
import io.github.volcanovgpu.bridge.admission.PodAdmission;
import io.github.volcanovgpu.bridge.admission.ReloadingTls;
import io.github.volcanovgpu.bridge.admission.WebhookHttpsServer;
import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.extender.ExtenderEndpoint;
import io.github.volcanovgpu.bridge.extender.ExtenderHttpServer;
import io.github.volcanovgpu.bridge.grpc.GrpcServer;
import io.github.volcanovgpu.bridge.kube.DeviceConfigSource;
import io.github.volcanovgpu.bridge.kube.InformerClusterState;
import io.github.volcanovgpu.bridge.kube.KubeAssignmentWriter;
import io.github.volcanovgpu.bridge.kube.KubeNodeLock;
import io.github.volcanovgpu.bridge.kube.KubeResourceQuotas;
import io.github.volcanovgpu.bridge.kube.LeaseLeaderElection;
import io.github.volcanovgpu.bridge.metrics.AdmissionMetrics;
import io.github.volcanovgpu.bridge.metrics.VgpuMetrics;
import io.github.volcanovgpu.bridge.quota.QuotaSource;
import io.github.volcanovgpu.bridge.scheduling.AssignmentWriter;
import io.github.volcanovgpu.bridge.scheduling.ClusterState;
import io.github.volcanovgpu.bridge.scheduling.DeviceKinds;
import io.github.volcanovgpu.bridge.scheduling.EngineConfig;
import io.github.volcanovgpu.bridge.scheduling.NodeLock;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.vendor.VendorCatalog;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.process.Cli;
import io.github.volcanovgpu.process.HostPort;
import io.github.volcanovgpu.process.MetricsServer;
import io.github.volcanovgpu.process.kube.KubeClients;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code volcano-vgpu bridge}: the scheduler sidecar beside vc-scheduler. */
@Command(
    name = "bridge",
    mixinStandardHelpOptions = true,
    description = "Serve Volcano's extender verbs (HTTP/JSON) and the VgpuScheduler gRPC API.")
final class BridgeCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(BridgeCommand.class);

  @Option(names = "--http-bind", defaultValue = "0.0.0.0:8713",
      description = "Volcano extender HTTP address (default: ${DEFAULT-VALUE}).")
  String httpBind = "0.0.0.0:8713";

  @Option(names = "--grpc-bind", defaultValue = "0.0.0.0:8714",
      description = "VgpuScheduler gRPC address; empty to disable (default: ${DEFAULT-VALUE}).")
  String grpcBind = "0.0.0.0:8714";

  @Option(names = "--metrics-bind-address", defaultValue = "0.0.0.0:8715",
      description = "Prometheus /metrics address; empty to serve /metrics on the HTTP port (default: ${DEFAULT-VALUE}).")
  String metricsBind = "0.0.0.0:8715";

  @Option(names = "--kubeconfig", description = "kubeconfig file (default: in-cluster configuration).")
  @Nullable
  Path kubeconfig;

  @Option(names = "--no-kube",
      description = "Run without an API server: the ledger comes from Volcano's NodeInfo, allocate cannot write "
          + "annotations (for tests and dry runs).")
  boolean noKube;

  @Option(names = "--device-config",
      description = "device-config.yaml to use instead of the volcano-vgpu-device-config ConfigMap.")
  @Nullable
  Path deviceConfig;

  @Option(names = "--node-lock", description = "Take the hamivgpu node lock at allocation (default off).")
  boolean nodeLock;

  @Option(names = "--max-body-bytes", defaultValue = "67108864",
      description = "Largest request body; larger ones get HTTP 413 (default: ${DEFAULT-VALUE}).")
  int maxBodyBytes = 64 << 20;

  @Option(names = "--policy", defaultValue = "binpack",
      description = "GPU walk order and score: binpack, spread or none (default: ${DEFAULT-VALUE}).")
  String policy = "binpack";

  @Option(names = "--score-weight", defaultValue = "1",
      description = "Multiplier of the device score returned by prioritize (default: ${DEFAULT-VALUE}).")
  double scoreWeight = 1;

  @Option(names = "--leader-elect",
      description = "Decide only while holding a Lease: other replicas are not ready and refuse allocate, so two "
          + "replicas never hand out the same share (needs an API server).")
  boolean leaderElect;

  @Option(names = "--leader-elect-lease-name", defaultValue = "volcano-vgpu-sidecar",
      description = "Name of the Lease (default: ${DEFAULT-VALUE}).")
  String leaseName = "volcano-vgpu-sidecar";

  @Option(names = "--leader-elect-namespace", defaultValue = "${env:POD_NAMESPACE:-volcano-system}",
      description = "Namespace of the Lease (env POD_NAMESPACE; default: ${DEFAULT-VALUE}).")
  String leaseNamespace = "volcano-system";

  @Option(names = "--leader-elect-identity", defaultValue = "${env:POD_NAME}",
      description = "This replica in the Lease (env POD_NAME, else the host name).")
  @Nullable
  String leaseIdentity;

  @Option(names = "--leader-elect-lease-duration", defaultValue = "PT15S",
      description = "How long an unrenewed Lease keeps other replicas out (ISO-8601; default: ${DEFAULT-VALUE}).")
  Duration leaseDuration = Duration.ofSeconds(15);

  @Option(names = "--leader-elect-renew-deadline", defaultValue = "PT10S",
      description = "How long the leader tries to renew before it stops deciding (ISO-8601; default: "
          + "${DEFAULT-VALUE}).")
  Duration renewDeadline = Duration.ofSeconds(10);

  @Option(names = "--leader-elect-retry-period", defaultValue = "PT2S",
      description = "Pause between election attempts (ISO-8601; default: ${DEFAULT-VALUE}).")
  Duration retryPeriod = Duration.ofSeconds(2);

  @Option(names = "--cache-sync-timeout", defaultValue = "PT30S",
      description = "How long to wait for the informer cache before serving in fallback mode (ISO-8601, "
          + "default: ${DEFAULT-VALUE}).")
  Duration cacheSyncTimeout = Duration.ofSeconds(30);

  @Option(names = "--webhook-bind", defaultValue = "",
      description = "HTTPS address of the admission webhook (/mutate, /validate); empty: no webhook (default).")
  String webhookBind = "";

  @Option(names = "--webhook-cert-file", description = "PEM certificate (chain) of the webhook, e.g. the mounted "
      + "Secret's tls.crt; re-read when it changes.")
  @Nullable
  Path webhookCert;

  @Option(names = "--webhook-key-file", description = "PEM private key of the webhook (PKCS#8, PKCS#1 or SEC1), e.g. "
      + "tls.key; re-read when it changes.")
  @Nullable
  Path webhookKey;

  @Option(names = "--webhook-scheduler-name", defaultValue = "",
      description = "Scheduler written into pods asking for devices whose schedulerName is unset or "
          + "default-scheduler, e.g. volcano; empty: left as it is (default).")
  String webhookSchedulerName = "";

  @Option(names = "--webhook-runtime-class-name", defaultValue = "",
      description = "runtimeClassName written into pods asking for devices that have none; empty: not set (default).")
  String webhookRuntimeClass = "";

  @Option(names = "--webhook-allow-privileged",
      description = "Admit pods asking for devices with a privileged container (they escape every limit; denied by "
          + "default).")
  boolean webhookAllowPrivileged;

  @Option(names = "--webhook-vcjob-quota", defaultValue = "usage",
      converter = GangQuotaConverter.class,
      description = "How a vcjob's gang (its minAvailable pods) is held against the namespace's device quotas at "
          + "creation: usage (refused when it does not fit beside what the namespace holds now, as its pods would "
          + "be), limit (refused only when it alone is more than a quota allows), off (default: ${DEFAULT-VALUE}).")
  AdmissionPolicy.GangQuota webhookVcjobQuota = AdmissionPolicy.GangQuota.USAGE;

  /** {@code usage}, {@code limit} or {@code off}, in any case; anything else is a usage error naming the choices. */
  static final class GangQuotaConverter implements picocli.CommandLine.ITypeConverter<AdmissionPolicy.GangQuota> {
    @Override
    public AdmissionPolicy.GangQuota convert(String value) {
      try {
        return AdmissionPolicy.GangQuota.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException("\"" + value + "\" is not one of usage, limit, off");
      }
    }
  }

  @Option(names = "--webhook-max-body-bytes", defaultValue = "3145728",
      description = "Largest AdmissionReview; larger ones get HTTP 413 (default: ${DEFAULT-VALUE}).")
  int webhookMaxBodyBytes = 3 << 20;

  @Option(names = "--webhook-timeout", defaultValue = "PT8S",
      description = "Longest a decision may take before the webhook answers 503 (ISO-8601; default: "
          + "${DEFAULT-VALUE}; keep it below the webhook configurations' timeoutSeconds).")
  Duration webhookTimeout = Duration.ofSeconds(8);

  @Override
  public Integer call() throws Exception {
    Cli.routeJulToSlf4j();
    Running sidecar = start();
    Cli.serveUntilShutdown("vgpu-shutdown", () -> {
      LOG.info("shutting down");
      sidecar.close();
    });
    return Cli.OK;
  }

  /** The started servers; closing stops them gracefully. */
  record Running(ExtenderHttpServer http, @Nullable GrpcServer grpc, @Nullable MetricsServer metrics,
      @Nullable InformerClusterState informers, PlacementEngine engine, @Nullable LeaseLeaderElection election,
      @Nullable WebhookHttpsServer webhook, @Nullable KubeResourceQuotas quotas)
      implements AutoCloseable {
    @Override
    public void close() {
      if (election != null) {
        election.close(); // stop deciding first, then hand the Lease over
      }
      if (webhook != null) {
        webhook.close();
      }
      http.close();
      if (grpc != null) {
        grpc.stop();
      }
      if (metrics != null) {
        metrics.close();
      }
      if (informers != null) {
        informers.close();
      }
      if (quotas != null) {
        quotas.close();
      }
    }
  }

  /** Wires and starts everything the options ask for. */
  Running start() throws Exception {
    HostPort http = HostPort.parse(httpBind, "--http-bind");
    Optional<HostPort> grpc = grpcBind.isBlank() ? Optional.empty() : Optional.of(HostPort.parse(grpcBind,
        "--grpc-bind"));
    Optional<HostPort> metricsAddress = metricsBind.isBlank() ? Optional.empty()
        : Optional.of(HostPort.parse(metricsBind, "--metrics-bind-address"));
    Optional<HostPort> webhookAddress = webhookBind.isBlank() ? Optional.empty()
        : Optional.of(HostPort.parse(webhookBind, "--webhook-bind"));
    if (webhookAddress.isPresent() && (webhookCert == null || webhookKey == null)) {
      throw new IllegalArgumentException("--webhook-bind needs --webhook-cert-file and --webhook-key-file (the API "
          + "server calls webhooks over TLS only)");
    }
    SchedulingPolicy schedulingPolicy = SchedulingPolicy.parse(policy);
    EngineConfig engineConfig = new EngineConfig(schedulingPolicy, scoreWeight, Duration.ofMinutes(5));

    ClusterState cluster = ClusterState.NONE;
    AssignmentWriter writer = AssignmentWriter.UNAVAILABLE;
    NodeLock lock = NodeLock.DISABLED;
    DeviceConfig config;
    InformerClusterState informers = null;
    KubeResourceQuotas quotas = null;
    LeaseLeaderElection election = null;
    if (noKube && leaderElect) {
      throw new IllegalArgumentException("--leader-elect needs an API server; it cannot be used with --no-kube");
    }
    if (noKube) {
      config = deviceConfig != null ? DeviceConfigSource.fromFile(deviceConfig) : DeviceConfig.defaults();
      LOG.warn("running without a Kubernetes API server: allocate cannot write pod annotations");
    } else {
      KubeClients kube = KubeClients.create(Optional.ofNullable(kubeconfig));
      config = deviceConfig != null ? DeviceConfigSource.fromFile(deviceConfig)
          : new DeviceConfigSource(kube.requests()).load();
      informers = new InformerClusterState(kube.watches());
      informers.start();
      cluster = informers;
      quotas = new KubeResourceQuotas(kube.watches());
      quotas.start();
      writer = new KubeAssignmentWriter(kube.requests());
      if (nodeLock) {
        lock = new KubeNodeLock(kube.requests());
      }
      if (leaderElect) {
        election = new LeaseLeaderElection(kube.requests(), new LeaseLeaderElection.Settings(leaseNamespace,
            leaseName, identity(), leaseDuration, renewDeadline, retryPeriod));
        writer = election.guard(writer);
        lock = election.guard(lock);
      }
    }
    LeaseLeaderElection leader = election;
    DeviceKinds kinds = VendorCatalog.kinds(config);
    PlacementEngine engine = new PlacementEngine(kinds, cluster, writer, lock, engineConfig, Clock.systemUTC(),
        quotas == null ? QuotaSource.NONE : quotas);

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    VgpuMetrics metrics = new VgpuMetrics(engine, registry);
    AdmissionMetrics admissionMetrics = new AdmissionMetrics(engine, registry);
    Supplier<String> scrape = () -> {
      metrics.refresh();
      admissionMetrics.refresh();
      return registry.scrape();
    };

    ExtenderHttpServer httpServer = new ExtenderHttpServer(
        ExtenderHttpServer.Options.defaults(http.host(), http.port()).withMaxBodyBytes(maxBodyBytes),
        leader == null ? new ExtenderEndpoint(engine) : new ExtenderEndpoint(engine, leader::refusal),
        leader == null ? () -> true : leader::isLeader, metricsAddress.isEmpty() ? scrape : null,
        (route, status, nanos) -> metrics.recordRequest("http", route, Duration.ofNanos(nanos), status != 200));
    httpServer.start();
    GrpcServer grpcServer = null;
    if (grpc.isPresent()) {
      grpcServer = GrpcServer.tcp(grpc.get(), engine, GrpcServer.Settings.defaults()).start();
    }
    WebhookHttpsServer webhook = null;
    if (webhookAddress.isPresent()) {
      ReloadingTls tls = new ReloadingTls(webhookCert, webhookKey, Duration.ofSeconds(10));
      PodAdmission admission = new PodAdmission(kinds, new AdmissionPolicy(Optional.of(webhookSchedulerName),
          Optional.of(webhookRuntimeClass), !webhookAllowPrivileged, webhookVcjobQuota), AdmissionCluster.of(engine));
      webhook = new WebhookHttpsServer(WebhookHttpsServer.Options.defaults(webhookAddress.get().host(),
          webhookAddress.get().port()).withMaxBodyBytes(webhookMaxBodyBytes).withRequestTimeout(webhookTimeout),
          tls, admission, (route, status, outcome, nanos) -> {
            metrics.recordRequest("webhook", route, Duration.ofNanos(nanos), status != 200);
            admissionMetrics.recordReview(route, outcome);
          }).start();
    }
    MetricsServer metricsServer = metricsAddress.isPresent()
        ? new MetricsServer(metricsAddress.get(), scrape).start() : null;
    LOG.info("vGPU sidecar serving: extender http {}:{}, grpc {}, webhook {}, metrics {}, policy {}, node lock {}, "
        + "device kinds {}", http.host(), httpServer.port(), grpc.map(HostPort::toString).orElse("off"),
        webhook == null ? "off" : "https://" + webhookAddress.get().host() + ":" + webhook.port(),
        metricsAddress.map(HostPort::toString).orElse("on the http port"), schedulingPolicy, nodeLock,
        kinds.all().stream().map(k -> k.deviceName()).toList());
    if (informers != null && !informers.awaitSynced(cacheSyncTimeout)) {
      LOG.warn("informer cache not synced after {}; serving from the Tasks in Volcano's requests until it is",
          cacheSyncTimeout);
    }

    if (election != null) {
      election.start();
    }
    return new Running(httpServer, grpcServer, metricsServer, informers, engine, election, webhook, quotas);
  }

  /** The Lease holder identity: {@code --leader-elect-identity} (POD_NAME), else the host name. */
  private String identity() {
    if (leaseIdentity != null && !leaseIdentity.isBlank()) {
      return leaseIdentity;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      String host = System.getenv("HOSTNAME");
      if (host != null && !host.isBlank()) {
        return host;
      }
      throw new IllegalArgumentException("--leader-elect needs an identity: set --leader-elect-identity or POD_NAME",
          e);
    }
  }
}
