package io.github.volcanovgpu.plugin;

import io.github.volcanovgpu.cdi.CdiCodec;
import io.github.volcanovgpu.cdi.store.CdiSpecDirectory;
import io.github.volcanovgpu.cdi.store.CdiSpecScan;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.plugin.allocate.AllocationSettings;
import io.github.volcanovgpu.plugin.allocate.KubePodSource;
import io.github.volcanovgpu.plugin.allocate.LeftoverCollector;
import io.github.volcanovgpu.plugin.allocate.NodePodWatch;
import io.github.volcanovgpu.plugin.allocate.PodSource;
import io.github.volcanovgpu.plugin.allocate.PodSourceException;
import io.github.volcanovgpu.plugin.allocate.VgpuAllocationHandler;
import io.github.volcanovgpu.plugin.cdi.CdiSpecRegistry;
import io.github.volcanovgpu.plugin.cdi.DeviceListAnswer;
import io.github.volcanovgpu.plugin.cdi.DeviceListSettings;
import io.github.volcanovgpu.cdi.nvidia.MigMinors;
import io.github.volcanovgpu.contract.device.GpuMode;
import io.github.volcanovgpu.mig.gpu.MigDevicePort;
import io.github.volcanovgpu.plugin.kubelet.AdvertisedDevice;
import io.github.volcanovgpu.plugin.mig.DynamicMigSlices;
import io.github.volcanovgpu.plugin.mig.FakeMigBackend;
import io.github.volcanovgpu.plugin.mig.MigInstanceAllocationHandler;
import io.github.volcanovgpu.plugin.mig.MigInventory;
import io.github.volcanovgpu.plugin.mig.MigMinorsFile;
import io.github.volcanovgpu.plugin.mig.MigSetupException;
import io.github.volcanovgpu.plugin.mig.MigStrategy;
import io.github.volcanovgpu.plugin.mig.StaticMigPlan;
import io.github.volcanovgpu.plugin.device.GpuBackend;
import io.github.volcanovgpu.plugin.device.PhysicalGpu;
import io.github.volcanovgpu.plugin.kubelet.AllocationHandler;
import io.github.volcanovgpu.plugin.kubelet.DeviceIds;
import io.github.volcanovgpu.plugin.kubelet.HealthPolicy;
import io.github.volcanovgpu.plugin.kubelet.HealthState;
import io.github.volcanovgpu.plugin.kubelet.PluginManager;
import io.github.volcanovgpu.plugin.kubelet.PluginResource;
import io.github.volcanovgpu.plugin.register.KubeNodeAnnotator;
import io.github.volcanovgpu.plugin.register.NodeConfig;
import io.github.volcanovgpu.plugin.register.NodeInventory;
import io.github.volcanovgpu.plugin.register.PluginSettings;
import io.github.volcanovgpu.plugin.register.RegistrationPublisher;
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
 * The device plugin assembled: discovery, one kubelet plugin per resource (count, memory, cores), the Allocate
 * handler and the node inventory publisher. Wiring only; every part is its own tested class.
 */
public final class DevicePlugin implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DevicePlugin.class);
  /** How often leftovers of deleted pods are looked for, and how long one must stay orphaned before it goes. */
  private static final Duration LEFTOVER_INTERVAL = Duration.ofMinutes(1);
  private static final Duration LEFTOVER_GRACE = Duration.ofMinutes(2);

  /** What the command line and the mounted ConfigMaps say. */
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

  private final PluginManager manager;
  private final @Nullable ScheduledExecutorService publisher;
  private final List<PhysicalGpu> gpus;
  private final @Nullable NodePodWatch watch;
  private final ExecutorService lockRelease;
  private final @Nullable AutoCloseable migPort;
  private final Runnable unregisterMeters;

  private DevicePlugin(PluginManager manager, @Nullable ScheduledExecutorService publisher, List<PhysicalGpu> gpus,
      @Nullable NodePodWatch watch, ExecutorService lockRelease, @Nullable AutoCloseable migPort,
      Runnable unregisterMeters) {
    this.migPort = migPort;
    this.unregisterMeters = unregisterMeters;
    this.manager = manager;
    this.publisher = publisher;
    this.gpus = gpus;
    this.watch = watch;
    this.lockRelease = lockRelease;
  }

  /**
   * Discovers, serves, registers and starts publishing.
   *
   * @param client the API server for requests; null runs the kubelet side only (Allocate then fails with
   *     UNAVAILABLE)
   * @param watchClient the API server for the node's pod watch (no read timeout); null to LIST on every Allocate
   */
  public static DevicePlugin start(Options o, GpuBackend backend, @Nullable ApiClient client,
      @Nullable ApiClient watchClient, MeterRegistry meters, Clock clock) {
    return start(o, backend, null, client, watchClient, null, meters, clock);
  }

  /**
   * As {@link #start(Options, GpuBackend, ApiClient, ApiClient, MeterRegistry, Clock)}, with the MIG port opened only
   * when the node is in {@code mig} mode or a static MIG strategy is on ({@link FakeMigBackend} brings its own).
   */
  public static DevicePlugin start(Options o, GpuBackend backend, @Nullable Supplier<MigDevicePort> migPort,
      @Nullable ApiClient client, @Nullable ApiClient watchClient, MeterRegistry meters, Clock clock) {
    return start(o, backend, migPort, client, watchClient, null, meters, clock);
  }

  /** With an in-memory pod source and the given MIG port (tests). */
  public static DevicePlugin start(Options o, GpuBackend backend, @Nullable MigDevicePort migPort, PodSource pods,
      MeterRegistry meters, Clock clock) {
    return start(o, backend, migPort == null ? null : () -> migPort, null, null, pods, meters, clock);
  }

  /**
   * As {@link #start(Options, GpuBackend, ApiClient, ApiClient, MeterRegistry, Clock)} without an API server, the
   * pods read from {@code pods} (tests: an in-memory pod source with a test kubelet).
   */
  public static DevicePlugin start(Options o, GpuBackend backend, PodSource pods, MeterRegistry meters,
      Clock clock) {
    return start(o, backend, null, null, null, pods, meters, clock);
  }

  private static DevicePlugin start(Options o, GpuBackend backend, @Nullable Supplier<MigDevicePort> migPort,
      @Nullable ApiClient client, @Nullable ApiClient watchClient, @Nullable PodSource givenPods,
      MeterRegistry meters, Clock clock) {
    PluginSettings settings = PluginSettings.resolve(o.nodeName(), o.deviceConfig().nvidia(), o.nodeConfig(),
        o.overrides());
    List<PhysicalGpu> selected = NodeInventory.selected(backend.discover(), settings);
    boolean dynamicMig = settings.mode() == GpuMode.MIG;
    MigStrategy strategy = o.mig().strategy();
    if (dynamicMig && strategy != MigStrategy.NONE) {
      throw new MigSetupException("node " + o.nodeName() + " has operatingmode mig (dynamic MIG: layouts follow the"
          + " scheduler) and --mig-strategy " + strategy.wireName() + " (static layouts): choose one");
    }
    MigInventory migInventory = null;
    AutoCloseable opened = null;
    if (dynamicMig || strategy != MigStrategy.NONE) {
      MigDevicePort port = migPort != null ? migPort.get()
          : backend instanceof FakeMigBackend fake ? fake.port() : null;
      opened = migPort != null && port instanceof AutoCloseable c ? c : null;
      if (port == null) {
        throw new MigSetupException("MIG (" + (dynamicMig ? "operatingmode mig" : "--mig-strategy "
            + strategy.wireName()) + ") needs the NVML MIG port; none was given (fake GPUs: use --fake-mig FILE)");
      }
      migInventory = new MigInventory(port, () -> NodeInventory.selected(backend.discover(), settings),
          o.mig().minors());
    }
    StaticMigPlan plan = strategy == MigStrategy.NONE ? StaticMigPlan.none(selected)
        : StaticMigPlan.plan(strategy, Objects.requireNonNull(migInventory).cards(),
            settings.resourceNames().count());
    List<PhysicalGpu> gpus = plan.vgpuCards();
    if (strategy != MigStrategy.NONE) {
      LOG.info("mig-strategy {}: {} whole cards, MIG resources {}", strategy.wireName(), gpus.size(),
          plan.migResources().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().size()).toList());
    }
    LOG.info("node {}: {} GPUs to register (split {}, memory factor {}, core scaling {}, mode {})", o.nodeName(),
        gpus.size(), settings.splitCount(), settings.memoryFactor(), settings.coreScaling(),
        settings.mode().wireName());
    DeviceIds.entryLimitWarning(gpus, settings.memoryFactor()).ifPresent(LOG::warn);

    HealthState health = new HealthState(selected, HealthPolicy.fromEnvironment(o.environment()));
    AllocationSettings allocation = new AllocationSettings(settings.resourceNames(), settings.memoryFactor(),
        settings.coreScaling(), settings.disableCoreLimit(), o.coreUtilizationPolicy(), o.hookPath(),
        o.nodeName(), o.hookPath().resolve("vgpu").resolve("containers"), AllocationSettings.DEFAULT_LOCK_DIR);
    CdiSpecRegistry registry = null;
    if (o.deviceList().anyCdi()) {
      CdiSpecRegistry.Inventory inventory = migInventory != null ? migInventory
          : () -> CdiSpecRegistry.Devices.ofGpus(NodeInventory.selected(backend.discover(), settings));
      registry = cdiRegistry(o.deviceList(), inventory);
    }
    allocation = allocation.withDeviceList(o.deviceList(), registry);
    if (dynamicMig) {
      allocation = allocation.withMigSlices(DynamicMigSlices.over(Objects.requireNonNull(migInventory).port(),
          o.deviceConfig().nvidia().knownMigGeometries()));
      LOG.info("operatingmode mig: UUID[group-pos] slices get MIG devices ({} knownMigGeometries entries)",
          o.deviceConfig().nvidia().knownMigGeometries().size());
    }
    NodePodWatch watch = givenPods == null && client != null && watchClient != null
        ? new NodePodWatch(watchClient, o.nodeName()).start() : null;
    PodSource pods = givenPods != null ? givenPods : client != null ? new KubePodSource(client, watch) : unavailable();
    ExecutorService lockRelease = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "node-lock-release");
      t.setDaemon(true);
      return t;
    });
    AllocationHandler handler = timed(new VgpuAllocationHandler(allocation, pods, lockRelease), meters);

    var names = settings.resourceNames();
    List<PluginResource> resources = new ArrayList<>();
    if (!plan.migResources().containsKey(names.count())) {
      resources.add(new PluginResource(names.count(), DeviceIds.count(gpus, settings.splitCount()), handler,
          PluginResource.Grouping.ONE_PER_CARD));
      resources.add(new PluginResource(names.memory(), DeviceIds.memory(gpus, settings.memoryFactor()), handler));
      resources.add(new PluginResource(names.cores(), DeviceIds.cores(gpus, settings.coreScaling()), handler));
    }
    if (!plan.migResources().isEmpty()) {
      AllocationHandler migHandler = timed(new MigInstanceAllocationHandler(plan.migResources(),
          new DeviceListAnswer(o.deviceList(), registry)), meters);
      plan.migResources().forEach((name, devices) -> resources.add(new PluginResource(name,
          devices.stream().map(d -> new AdvertisedDevice(d.uuid(), d.parentUuid(), d.numaNode())).toList(),
          migHandler)));
    }
    List<Meter> gauges = new ArrayList<>(); // this instance's: removed on close, so a restarted plugin has its own
    for (PluginResource r : resources) {
      gauges.add(Gauge.builder("volcano_vgpu_plugin_registered_devices", r.devices()::size)
          .description("Device IDs advertised to the kubelet").tag("resource", r.resourceName()).register(meters));
    }
    PluginManager manager = new PluginManager(o.devicePluginDir(), resources, health, Duration.ofSeconds(5));
    gauges.add(Gauge.builder("volcano_vgpu_plugin_healthy_gpus", () -> manager.health().values().stream()
        .filter(h -> h.isHealthy()).count()).description("GPUs currently healthy").register(meters));
    gauges.add(Gauge.builder("volcano_vgpu_plugin_registrations_restarts", manager::restarts)
        .description("Re-registrations after a kubelet restart or a lost socket").register(meters));
    manager.connect(backend);
    if (!manager.start()) {
      LOG.warn("the kubelet is not listening at {} yet; registering as soon as it appears", o.devicePluginDir());
    }

    ScheduledExecutorService executor = null;
    if (client != null && gpus.isEmpty() && !selected.isEmpty()) {
      LOG.info("no whole (vGPU) card left by mig-strategy {}: the node annotation is not published",
          strategy.wireName());
    } else if (client != null) {
      RegistrationPublisher reg = new RegistrationPublisher(o.nodeName(), new KubeNodeAnnotator(client),
          () -> NodeInventory.annotation(gpus, manager.health(), settings), o.legacyHandshake(), clock);
      executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "node-registration");
        t.setDaemon(true);
        return t;
      });
      Runnable publish = () -> {
        try {
          reg.publish();
        } catch (RuntimeException e) {
          LOG.warn("node annotation not published (retrying): {}", e.getMessage());
        }
      };
      executor.scheduleWithFixedDelay(publish, 0, o.registerInterval().toMillis(), TimeUnit.MILLISECONDS);
      ScheduledExecutorService ex = executor;
      health.addListener(() -> ex.execute(publish));
      if (watch != null) {
        // per-container cache dirs and CDI slice specs of pods gone from the node
        LeftoverCollector leftovers = new LeftoverCollector(allocation.cacheRoot(), allocation.cdi(), clock,
            LEFTOVER_GRACE);
        NodePodWatch nodePods = watch;
        executor.scheduleWithFixedDelay(() -> nodePods.podUids().ifPresent(live -> {
          try {
            leftovers.collect(live);
          } catch (RuntimeException e) {
            LOG.warn("cleaning up leftovers of deleted pods failed (retrying): {}", e.getMessage());
          }
        }), LEFTOVER_INTERVAL.toSeconds(), LEFTOVER_INTERVAL.toSeconds(), TimeUnit.SECONDS);
      }
    } else {
      LOG.warn("no API server: the node annotation is not published and Allocate fails until one is configured");
    }
    return new DevicePlugin(manager, executor, gpus, watch, lockRelease, opened, () -> gauges.forEach(meters::remove));
  }

  /**
   * The CDI spec registry, its main spec written now (before the kubelet can send an Allocate). The inventory is
   * discovered again whenever an Allocate names a device the spec lacks.
   */
  private static CdiSpecRegistry cdiRegistry(DeviceListSettings list, CdiSpecRegistry.Inventory inventory) {
    CdiSpecDirectory dir = new CdiSpecDirectory(list.cdiRoot(), new CdiCodec(), CdiCodec.Format.JSON);
    int leftovers = dir.removeTemporaries();
    if (leftovers > 0) {
      LOG.info("removed {} temporary CDI spec file(s) left in {}", leftovers, list.cdiRoot());
    }
    CdiCodec codec = new CdiCodec();
    CdiSpecRegistry registry = new CdiSpecRegistry(list.kind(), dir, inventory, list.driverKind().orElse(null),
        () -> CdiSpecScan.deviceNames(list.runtimeDirs(), list.driverKind().orElseThrow(), codec));
    registry.start();
    LOG.info("CDI mode {}: spec {} in {} ({} devices)", list.strategies(), list.kind(), list.cdiRoot(),
        registry.deviceNames().size());
    return registry;
  }

  /** Allocate latency and failures per resource; everything else goes straight to {@code inner}. */
  private static AllocationHandler timed(AllocationHandler inner, MeterRegistry meters) {
    return new AllocationHandler() {
      @Override
      public io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateResponse allocate(String resource,
          io.github.volcanovgpu.proto.kubelet.v1beta1.AllocateRequest request) {
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
      public List<io.github.volcanovgpu.plugin.allocate.PodSnapshot> pendingPodsOnNode(String node) {
        throw down;
      }

      @Override
      public io.github.volcanovgpu.plugin.allocate.PodSnapshot readPod(String namespace, String name) {
        throw down;
      }

      @Override
      public io.github.volcanovgpu.plugin.allocate.PodSnapshot patchAnnotations(
          io.github.volcanovgpu.plugin.allocate.PodSnapshot observed, Map<String, Optional<String>> changes) {
        throw down;
      }

      @Override
      public boolean releaseNodeLock(String node) {
        throw down;
      }
    };
  }

  public PluginManager manager() {
    return manager;
  }

  public List<PhysicalGpu> gpus() {
    return gpus;
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
    if (migPort != null) {
      try {
        migPort.close();
      } catch (Exception e) {
        LOG.warn("closing the MIG port: {}", e.getMessage());
      }
    }
  }
}
