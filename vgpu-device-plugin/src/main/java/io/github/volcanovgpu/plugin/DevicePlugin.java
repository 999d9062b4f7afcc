package io.github.volcanovgpu.plugin;

import io.github.volcanovgpu.cdi.nvidia.MigMinors;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.mig.gpu.MigDevicePort;
import io.github.volcanovgpu.plugin.allocate.AllocationHandler;
import io.github.volcanovgpu.plugin.allocate.KubePodSource;
import io.github.volcanovgpu.plugin.allocate.LeftoverCollector;
import io.github.volcanovgpu.plugin.allocate.NodePodWatch;
import io.github.volcanovgpu.plugin.allocate.PodSnapshot;
import io.github.volcanovgpu.plugin.allocate.PodSource;
import io.github.volcanovgpu.plugin.allocate.PodSourceException;
import io.github.volcanovgpu.plugin.cdi.DeviceListSettings;
import io.github.volcanovgpu.plugin.device.DeviceBackend;
import io.github.volcanovgpu.plugin.device.NodeContext;
import io.github.volcanovgpu.plugin.device.NodeRegistration;
import io.github.volcanovgpu.plugin.device.NodeServing;
import io.github.volcanovgpu.plugin.device.PhysicalDevice;
import io.github.volcanovgpu.plugin.device.PluginResource;
import io.github.volcanovgpu.plugin.kubelet.HealthPolicy;
import io.github.volcanovgpu.plugin.kubelet.HealthState;
import io.github.volcanovgpu.plugin.kubelet.PluginManager;
import io.github.volcanovgpu.plugin.mig.MigMinorsFile;
import io.github.volcanovgpu.plugin.mig.MigStrategy;
import io.github.volcanovgpu.plugin.register.KubeNodeAnnotator;
import io.github.volcanovgpu.plugin.register.NodeConfig;
import io.github.volcanovgpu.plugin.register.PluginSettings;
import io.github.volcanovgpu.plugin.register.RegistrationPublisher;
import io.github.volcanovgpu.plugin.vendor.nvidia.NvidiaBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.GpuBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.PhysicalGpu;
import io.github.volcanovgpu.process.DaemonThreads;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateResponse;
import io.kubernetes.client.openapi.ApiClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device plugin assembled: each device kind configured for the node ({@link DeviceBackend}) serves its kubelet
 * resources, one plugin socket each, with their Allocate handlers; their devices' health feeds one health state;
 * each kind's node annotations are published. Wiring only; every part is its own tested class, and nothing here
 * names a vendor except the NVIDIA-only entry points kept for callers that predate the device kinds.
 */
public final class DevicePlugin implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DevicePlugin.class);
  /** How often leftovers of deleted pods are looked for. */
  private static final Duration LEFTOVER_INTERVAL = Duration.ofMinutes(1);

  /**
   * What the command line and the mounted ConfigMaps say. The fields after {@code overrides} up to
   * {@code legacyHandshake}, {@code deviceList} and {@code mig} are NVIDIA's ({@link #nvidia}).
   */
  public record Options(
      String nodeName,
      Path devicePluginDir,
      DeviceConfig deviceConfig,
      NodeConfig nodeConfig,
      PluginSettings.Overrides overrides,
      Path hookPath,
      String coreUtilizationPolicy,
      boolean legacyHandshake,
      Duration registerInterval,
      Map<String, String> environment,
      DeviceListSettings deviceList,
      Mig mig) {
    /** Without static MIG strategies (dynamic MIG still follows the node's {@code operatingmode}). */
    public Options(String nodeName, Path devicePluginDir, DeviceConfig deviceConfig, NodeConfig nodeConfig,
        PluginSettings.Overrides overrides, Path hookPath, String coreUtilizationPolicy, boolean legacyHandshake,
        Duration registerInterval, Map<String, String> environment, DeviceListSettings deviceList) {
      this(nodeName, devicePluginDir, deviceConfig, nodeConfig, overrides, hookPath, coreUtilizationPolicy,
          legacyHandshake, registerInterval, environment, deviceList, Mig.defaults());
    }

    /** The classic device list ({@code envvar}). */
    public Options(String nodeName, Path devicePluginDir, DeviceConfig deviceConfig, NodeConfig nodeConfig,
        PluginSettings.Overrides overrides, Path hookPath, String coreUtilizationPolicy, boolean legacyHandshake,
        Duration registerInterval, Map<String, String> environment) {
      this(nodeName, devicePluginDir, deviceConfig, nodeConfig, overrides, hookPath, coreUtilizationPolicy,
          legacyHandshake, registerInterval, environment, DeviceListSettings.envvar());
    }
  }

  /**
   * MIG configuration.
   *
   * @param strategy static MIG strategy ({@code --mig-strategy})
   * @param minors the MIG capability minors for CDI ({@code --mig-minors}; a synthetic table on fake machines)
   */
  public record Mig(MigStrategy strategy, Supplier<MigMinors> minors) {
    public Mig {
      Objects.requireNonNull(strategy, "strategy");
      Objects.requireNonNull(minors, "minors");
    }

    /** Strategy {@code none}, minors from the driver's file. */
    public static Mig defaults() {
      return new Mig(MigStrategy.NONE, MigMinorsFile.reader(MigMinorsFile.DEFAULT));
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

    /** {@link Api} when {@code client} is given, else {@link None}. */
    static Cluster of(@Nullable ApiClient client, @Nullable ApiClient watchClient) {
      return client == null ? new None() : new Api(client, watchClient);
    }
  }

  private final PluginManager manager;
  private final List<NodeServing> served;
  private final @Nullable ScheduledExecutorService publisher;
  private final @Nullable NodePodWatch watch;
  private final ExecutorService lockRelease;
  private final Runnable unregisterMeters;

  private DevicePlugin(PluginManager manager, List<NodeServing> served, @Nullable ScheduledExecutorService publisher,
      @Nullable NodePodWatch watch, ExecutorService lockRelease, Runnable unregisterMeters) {
    this.manager = manager;
    this.served = List.copyOf(served);
    this.publisher = publisher;
    this.watch = watch;
    this.lockRelease = lockRelease;
    this.unregisterMeters = unregisterMeters;
  }

  /**
   * Serves every device kind of {@code backends} for the node: their resources registered with the kubelet, their
   * health tracked, their node annotations published (with an API server). The backends are not closed by
   * {@link #close()}: they outlive configuration reloads; their owner closes them.
   */
  public static DevicePlugin start(Options o, List<? extends DeviceBackend> backends, Cluster cluster,
      MeterRegistry meters, Clock clock) {
    NodePodWatch watch = cluster instanceof Cluster.Api api && api.watchClient() != null
        ? new NodePodWatch(api.watchClient(), o.nodeName()).start() : null;
    PodSource pods = cluster instanceof Cluster.Pods given ? given.pods()
        : cluster instanceof Cluster.Api api ? new KubePodSource(api.client(), watch) : unavailable();
    ExecutorService lockRelease = Executors.newSingleThreadExecutor(DaemonThreads.named("node-lock-release"));
    NodeContext context = new NodeContext(o.nodeName(), o.deviceConfig(), o.nodeConfig(), o.environment(), pods,
        lockRelease, clock);
    List<NodeServing> served = new ArrayList<>();
    try {
      for (DeviceBackend backend : backends) {
        served.add(backend.serve(context));
      }
    } catch (RuntimeException e) {
      served.forEach(DevicePlugin::closeAll);
      lockRelease.shutdownNow();
      if (watch != null) {
        watch.close();
      }
      throw e;
    }

    List<PhysicalDevice> devices = served.stream().flatMap(s -> s.devices().stream()).toList();
    HealthState health = new HealthState(devices, HealthPolicy.fromEnvironment(o.environment()));
    List<PluginResource> resources = served.stream().flatMap(s -> s.resources().stream())
        .map(r -> r.withHandler(timed(r.handler(), meters))).toList();
    List<Meter> gauges = new ArrayList<>(); // this instance's: removed on close, so a restarted plugin has its own
    for (PluginResource r : resources) {
      gauges.add(Gauge.builder("volcano_vgpu_plugin_registered_devices", r.devices()::size)
          .description("Device IDs advertised to the kubelet").tag("resource", r.resourceName()).register(meters));
    }
    PluginManager manager = new PluginManager(o.devicePluginDir(), resources, health, Duration.ofSeconds(5));
    gauges.add(Gauge.builder("volcano_vgpu_plugin_healthy_gpus", () -> manager.health().values().stream()
        .filter(h -> h.isHealthy()).count()).description("Devices currently healthy").register(meters));
    gauges.add(Gauge.builder("volcano_vgpu_plugin_registrations_restarts", manager::restarts)
        .description("Re-registrations after a kubelet restart or a lost socket").register(meters));
    for (DeviceBackend backend : backends) {
      manager.connect(backend.health());
    }
    if (!manager.start()) {
      LOG.warn("the kubelet is not listening at {} yet; registering as soon as it appears", o.devicePluginDir());
    }

    ScheduledExecutorService executor = null;
    if (cluster instanceof Cluster.Api api) {
      executor = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("node-registration"));
      List<Runnable> publishers = new ArrayList<>();
      for (NodeServing s : served) {
        if (s.registration().isPresent()) {
          publishers.add(publisher(o.nodeName(), api.client(), s.registration().get(), health, clock));
        }
      }
      Runnable publishAll = () -> publishers.forEach(Runnable::run);
      executor.scheduleWithFixedDelay(publishAll, 0, o.registerInterval().toMillis(), TimeUnit.MILLISECONDS);
      ScheduledExecutorService ex = executor;
      health.addListener(() -> ex.execute(publishAll));
      if (watch != null) {
        scheduleLeftovers(executor, watch, served.stream().flatMap(s -> s.leftovers().stream()).toList());
      }
    } else {
      LOG.warn("no API server: the node annotations are not published and Allocate fails until one is configured");
    }
    return new DevicePlugin(manager, served, executor, watch, lockRelease, () -> gauges.forEach(meters::remove));
  }

  /** NVIDIA only, with the API server ({@code client} null: the kubelet side only). */
  public static DevicePlugin start(Options o, GpuBackend backend, @Nullable ApiClient client,
      @Nullable ApiClient watchClient, MeterRegistry meters, Clock clock) {
    return start(o, List.of(nvidia(o, backend, null)), Cluster.of(client, watchClient), meters, clock);
  }

  /** NVIDIA only, with the MIG port opened when the node is in {@code mig} mode or a static MIG strategy is on. */
  public static DevicePlugin start(Options o, GpuBackend backend, @Nullable Supplier<MigDevicePort> migPort,
      @Nullable ApiClient client, @Nullable ApiClient watchClient, MeterRegistry meters, Clock clock) {
    return start(o, List.of(nvidia(o, backend, migPort)), Cluster.of(client, watchClient), meters, clock);
  }

  /** NVIDIA only, with an in-memory pod source and the given MIG port (tests). */
  public static DevicePlugin start(Options o, GpuBackend backend, @Nullable MigDevicePort migPort, PodSource pods,
      MeterRegistry meters, Clock clock) {
    return start(o, List.of(nvidia(o, backend, migPort == null ? null : () -> migPort)), new Cluster.Pods(pods),
        meters, clock);
  }

  /** NVIDIA only, with an in-memory pod source (tests: a test kubelet). */
  public static DevicePlugin start(Options o, GpuBackend backend, PodSource pods, MeterRegistry meters,
      Clock clock) {
    return start(o, List.of(nvidia(o, backend, null)), new Cluster.Pods(pods), meters, clock);
  }

  /** The NVIDIA device kind with {@code o}'s NVIDIA settings. */
  public static NvidiaBackend nvidia(Options o, GpuBackend gpus, @Nullable Supplier<MigDevicePort> migPort) {
    return new NvidiaBackend(gpus, migPort, new NvidiaBackend.Settings(o.overrides(), o.hookPath(),
        o.coreUtilizationPolicy(), o.legacyHandshake(), o.deviceList(), o.mig().strategy(), o.mig().minors()));
  }

  private static Runnable publisher(String node, ApiClient client, NodeRegistration registration, HealthState health,
      Clock clock) {
    RegistrationPublisher reg = new RegistrationPublisher(node, new KubeNodeAnnotator(client),
        () -> registration.annotations(health.snapshot()), registration::heartbeat, clock);
    return () -> {
      try {
        reg.publish();
      } catch (RuntimeException e) {
        LOG.warn("node annotations not published (retrying): {}", e.getMessage());
      }
    };
  }

  /** Per-container leftovers (host directories, CDI slice specs) of pods gone from the node, every minute. */
  private static void scheduleLeftovers(ScheduledExecutorService executor, NodePodWatch watch,
      List<LeftoverCollector> collectors) {
    if (collectors.isEmpty()) {
      return;
    }
    executor.scheduleWithFixedDelay(() -> watch.podUids().ifPresent(live -> {
      for (LeftoverCollector c : collectors) {
        try {
          c.collect(live);
        } catch (RuntimeException e) {
          LOG.warn("cleaning up leftovers of deleted pods failed (retrying): {}", e.getMessage());
        }
      }
    }), LEFTOVER_INTERVAL.toSeconds(), LEFTOVER_INTERVAL.toSeconds(), TimeUnit.SECONDS);
  }

  /** Allocate latency and failures per resource; everything else goes straight to {@code inner}. */
  private static AllocationHandler timed(AllocationHandler inner, MeterRegistry meters) {
    return new AllocationHandler() {
      @Override
      public AllocateResponse allocate(String resource, AllocateRequest request) {
        Timer.Sample sample = Timer.start(meters);
        String outcome = "error";
        try {
          var response = inner.allocate(resource, request);
          outcome = "ok";
          return response;
        } finally {
          sample.stop(Timer.builder("volcano_vgpu_plugin_allocate").tag("resource", resource)
              .tag("outcome", outcome).publishPercentileHistogram().register(meters));
        }
      }

      @Override
      public List<String> expectedCards(String resourceName, int size) {
        return inner.expectedCards(resourceName, size);
      }
    };
  }

  private static PodSource unavailable() {
    PodSourceException down = new PodSourceException(PodSourceException.Kind.UNAVAILABLE,
        "no Kubernetes API server configured: cannot find the pod this Allocate is for");
    return new PodSource() {
      @Override
      public List<PodSnapshot> pendingPodsOnNode(String node) {
        throw down;
      }

      @Override
      public PodSnapshot readPod(String namespace, String name) {
        throw down;
      }

      @Override
      public PodSnapshot patchAnnotations(PodSnapshot observed, Map<String, Optional<String>> changes) {
        throw down;
      }

      @Override
      public boolean releaseNodeLock(String node, String lockKey) {
        throw down;
      }
    };
  }

  public PluginManager manager() {
    return manager;
  }

  /** The devices every kind registered for its scheduler half, in kind order. */
  public List<PhysicalDevice> devices() {
    return served.stream().flatMap(s -> s.registered().stream()).toList();
  }

  /** The NVIDIA whole cards registered (vGPU cards; not those a static MIG strategy serves as MIG devices). */
  public List<PhysicalGpu> gpus() {
    return devices().stream().filter(PhysicalGpu.class::isInstance).map(PhysicalGpu.class::cast).toList();
  }

  @Override
  public void close() {
    unregisterMeters.run();
    if (publisher != null) {
      publisher.shutdownNow();
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
    if (watch != null) {
      watch.close();
    }
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
