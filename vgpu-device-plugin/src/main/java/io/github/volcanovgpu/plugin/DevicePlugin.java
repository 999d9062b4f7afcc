package io.github.volcanovgpu.plugin;

import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.plugin.allocate.PodSource;
import io.github.volcanovgpu.plugin.device.DeviceBackend;
import io.github.volcanovgpu.plugin.device.NodeContext;
import io.github.volcanovgpu.plugin.device.NodeServing;
import io.github.volcanovgpu.plugin.device.PhysicalDevice;
import io.github.volcanovgpu.plugin.device.PluginResource;
import io.github.volcanovgpu.plugin.kubelet.HealthPolicy;
import io.github.volcanovgpu.plugin.kubelet.HealthState;
import io.github.volcanovgpu.plugin.kubelet.PluginManager;
import io.github.volcanovgpu.plugin.register.NodeConfig;
import io.github.volcanovgpu.process.DaemonThreads;
import io.kubernetes.client.openapi.ApiClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device plugin assembled: each device kind configured for the node ({@link DeviceBackend}) serves its kubelet
 * resources, one plugin socket each, with their Allocate handlers; their devices' health feeds one health state;
 * each kind's node annotations are published. {@link #start} runs the steps in order, each its own small part:
 * where pods are read ({@link PodAccess}), what each kind serves ({@link DeviceBackend#serve}), the meters
 * ({@link PluginMetrics}), the kubelet side ({@link PluginManager}) and the node annotations ({@link
 * NodePublishing}). Nothing here names a vendor.
 */
public final class DevicePlugin implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DevicePlugin.class);

  /**
   * What the command line and the mounted ConfigMaps say for every kind; a kind's own flags are its backend's
   * settings (NVIDIA's in {@code NvidiaBackend.Settings}).
   *
   * @param devicePluginDir the kubelet's device-plugin directory (its {@code kubelet.sock} and ours)
   * @param registerInterval how often the node annotations are refreshed
   * @param environment the process environment (health policy, kinds' defaults)
   */
  public record Options(String nodeName, Path devicePluginDir, DeviceConfig deviceConfig, NodeConfig nodeConfig,
      Duration registerInterval, Map<String, String> environment) {
    public Options {
      Objects.requireNonNull(nodeName, "nodeName");
      Objects.requireNonNull(devicePluginDir, "devicePluginDir");
      Objects.requireNonNull(deviceConfig, "deviceConfig");
      Objects.requireNonNull(nodeConfig, "nodeConfig");
      Objects.requireNonNull(registerInterval, "registerInterval");
      environment = Map.copyOf(environment);
    }
  }

  /** Where the plugin reads pods and publishes node annotations. */
  public sealed interface Cluster {
    /**
     * The API server.
     *
     * @param client requests (bounded read timeout)
     * @param watchClient the node's pod watch (no read timeout); null to LIST on every Allocate
     */
    record Api(ApiClient client, @Nullable ApiClient watchClient) implements Cluster {
      public Api {
        Objects.requireNonNull(client, "client");
      }
    }

    /** An in-memory pod source, no node annotations (tests with a test kubelet). */
    record Pods(PodSource pods) implements Cluster {
      public Pods {
        Objects.requireNonNull(pods, "pods");
      }
    }

    /** No API server: the kubelet side only; Allocate fails with UNAVAILABLE. */
    record None() implements Cluster {}
  }

  private final PluginManager manager;
  private final List<NodeServing> served;
  private final PodAccess pods;
  private final ExecutorService lockRelease;
  private final PluginMetrics metrics;
  private final @Nullable NodePublishing publishing;

  private DevicePlugin(PluginManager manager, List<NodeServing> served, PodAccess pods, ExecutorService lockRelease,
      PluginMetrics metrics, @Nullable NodePublishing publishing) {
    this.manager = manager;
    this.served = List.copyOf(served);
    this.pods = pods;
    this.lockRelease = lockRelease;
    this.metrics = metrics;
    this.publishing = publishing;
  }

  /**
   * Serves every device kind of {@code backends} for the node: their resources registered with the kubelet, their
   * health tracked, their node annotations published (with an API server). The backends are not closed by
   * {@link #close()}: they outlive configuration reloads; their owner closes them.
   */
  public static DevicePlugin start(Options o, List<? extends DeviceBackend> backends, Cluster cluster,
      MeterRegistry meters, Clock clock) {
    PodAccess pods = PodAccess.of(cluster, o.nodeName());
    ExecutorService lockRelease = Executors.newSingleThreadExecutor(DaemonThreads.named("node-lock-release"));
    List<NodeServing> served = serve(backends, new NodeContext(o.nodeName(), o.deviceConfig(), o.nodeConfig(),
        o.environment(), pods.pods(), lockRelease, clock), () -> {
          lockRelease.shutdownNow();
          pods.close();
        });

    served.stream().flatMap(s -> s.notices().stream())
        .forEach(n -> LOG.error("node {}: {}: {}", o.nodeName(), n.reason(), n.message()));
    List<PhysicalDevice> devices = served.stream().flatMap(s -> s.devices().stream()).toList();
    HealthState health = new HealthState(devices, HealthPolicy.fromEnvironment(o.environment()));
    PluginMetrics metrics = new PluginMetrics(meters);
    List<PluginResource> resources = served.stream().flatMap(s -> s.resources().stream()).toList();
    PluginManager manager = new PluginManager(o.devicePluginDir(), metrics.timed(resources), health,
        Duration.ofSeconds(5));
    metrics.watch(manager);
    backends.forEach(backend -> manager.connect(backend.health()));
    if (!manager.start()) {
      LOG.warn("the kubelet is not listening at {} yet; registering as soon as it appears", o.devicePluginDir());
    }

    NodePublishing publishing = null;
    if (cluster instanceof Cluster.Api api) {
      publishing = NodePublishing.start(o.nodeName(), api.client(), served, health, o.registerInterval(),
          pods.watch(), clock);
    } else {
      LOG.warn("no API server: the node annotations are not published and Allocate fails until one is configured");
    }
    return new DevicePlugin(manager, served, pods, lockRelease, metrics, publishing);
  }

  /** What each kind serves; when one fails, what the others opened is closed and {@code undo} runs. */
  private static List<NodeServing> serve(List<? extends DeviceBackend> backends, NodeContext context, Runnable undo) {
    List<NodeServing> served = new ArrayList<>();
    try {
      for (DeviceBackend backend : backends) {
        served.add(backend.serve(context));
      }
      return served;
    } catch (RuntimeException e) {
      served.forEach(DevicePlugin::closeAll);
      undo.run();
      throw e;
    }
  }

  public PluginManager manager() {
    return manager;
  }

  /** The devices every kind registered for its scheduler half, in kind order. */
  public List<PhysicalDevice> devices() {
    return served.stream().flatMap(s -> s.registered().stream()).toList();
  }

  /** The registered devices of one kind's type (e.g. NVIDIA's whole cards, not its static MIG devices). */
  public <T extends PhysicalDevice> List<T> devices(Class<T> type) {
    return devices().stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Override
  public void close() {
    metrics.close();
    if (publishing != null) {
      publishing.close();
    }
    manager.close();
    lockRelease.shutdown();
    try {
      if (!lockRelease.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("node lock release still running at shutdown");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pods.close();
    served.forEach(DevicePlugin::closeAll);
  }

  private static void closeAll(NodeServing s) {
    for (AutoCloseable c : s.closeables()) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("closing {}: {}", c.getClass().getSimpleName(), e.getMessage());
      }
    }
  }
}
