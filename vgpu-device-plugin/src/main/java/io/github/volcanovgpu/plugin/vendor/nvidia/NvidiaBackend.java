package io.github.volcanovgpu.plugin.vendor.nvidia;

import io.github.volcanovgpu.cdi.CdiCodec;
import io.github.volcanovgpu.cdi.nvidia.MigMinors;
import io.github.volcanovgpu.cdi.nvidia.NvidiaGpu;
import io.github.volcanovgpu.cdi.store.CdiSpecDirectory;
import io.github.volcanovgpu.cdi.store.CdiSpecScan;
import io.github.volcanovgpu.contract.device.GpuMode;
import io.github.volcanovgpu.mig.gpu.MigDevicePort;
import io.github.volcanovgpu.plugin.allocate.AllocationHandler;
import io.github.volcanovgpu.plugin.allocate.AllocationSettings;
import io.github.volcanovgpu.plugin.allocate.LeftoverCollector;
import io.github.volcanovgpu.plugin.allocate.VgpuAllocationHandler;
import io.github.volcanovgpu.plugin.cdi.CdiSpecRegistry;
import io.github.volcanovgpu.plugin.cdi.DeviceListAnswer;
import io.github.volcanovgpu.plugin.cdi.DeviceListSettings;
import io.github.volcanovgpu.plugin.device.AdvertisedDevice;
import io.github.volcanovgpu.plugin.device.DeviceBackend;
import io.github.volcanovgpu.plugin.device.DeviceHealth;
import io.github.volcanovgpu.plugin.device.HealthMonitor;
import io.github.volcanovgpu.plugin.device.NodeContext;
import io.github.volcanovgpu.plugin.device.NodeNotice;
import io.github.volcanovgpu.plugin.device.NodeRegistration;
import io.github.volcanovgpu.plugin.device.NodeServing;
import io.github.volcanovgpu.plugin.device.PhysicalDevice;
import io.github.volcanovgpu.plugin.device.PluginResource;
import io.github.volcanovgpu.plugin.kubelet.DeviceIds;
import io.github.volcanovgpu.plugin.mig.DynamicMigSlices;
import io.github.volcanovgpu.plugin.mig.MigInstanceAllocationHandler;
import io.github.volcanovgpu.plugin.mig.MigInventory;
import io.github.volcanovgpu.plugin.mig.MigMinorsFile;
import io.github.volcanovgpu.plugin.mig.MigSetupException;
import io.github.volcanovgpu.plugin.mig.MigStrategy;
import io.github.volcanovgpu.plugin.mig.StaticMigPlan;
import io.github.volcanovgpu.plugin.register.PluginSettings;
import io.github.volcanovgpu.plugin.register.RegistrationPublisher;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.GpuBackend;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.PhysicalGpu;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NVIDIA as a device kind: the three vGPU resources (count, memory, cores) over the node's whole cards, Allocate with
 * libvgpu's envs and mounts ({@link VgpuAllocationHandler}), dynamic MIG (node {@code operatingmode: mig}) and the
 * static MIG strategies ({@code nvidia.com/mig-<profile>} resources, {@link MigInstanceAllocationHandler}), the
 * device list in classic or CDI mode, and the {@code volcano.sh/node-vgpu-register} annotation. The hardware comes
 * from a {@link GpuBackend} (NVML or a fake) and, for MIG, a {@link MigDevicePort} opened per start.
 */
public final class NvidiaBackend implements DeviceBackend {
  private static final Logger LOG = LoggerFactory.getLogger(NvidiaBackend.class);
  /** How long a leftover of a deleted pod must stay orphaned before it goes. */
  private static final Duration LEFTOVER_GRACE = Duration.ofMinutes(2);

  /**
   * NVIDIA's command-line settings.
   *
   * @param overrides {@code --device-split-count}, {@code --gpu-memory-factor}, {@code --device-cores-scaling}
   * @param hookPath host directory with {@code libvgpu.so} and {@code ld.so.preload} ({@code HOOK_PATH})
   * @param coreUtilizationPolicy {@code GPU_CORE_UTILIZATION_POLICY} given to containers; empty: not set
   * @param legacyHandshake also write {@code volcano.sh/node-vgpu-handshake} (Volcano <= 1.15)
   * @param deviceList the device-list strategies (classic, CDI)
   * @param migStrategy static MIG strategy ({@code --mig-strategy})
   * @param migMinors the MIG capability minors for CDI ({@code --mig-minors})
   */
  public record Settings(PluginSettings.Overrides overrides, Path hookPath, String coreUtilizationPolicy,
      boolean legacyHandshake, DeviceListSettings deviceList, MigStrategy migStrategy,
      Supplier<MigMinors> migMinors) {
    public Settings {
      Objects.requireNonNull(overrides, "overrides");
      Objects.requireNonNull(hookPath, "hookPath");
      Objects.requireNonNull(coreUtilizationPolicy, "coreUtilizationPolicy");
      Objects.requireNonNull(deviceList, "deviceList");
      Objects.requireNonNull(migStrategy, "migStrategy");
      Objects.requireNonNull(migMinors, "migMinors");
    }

    /**
     * The flags' defaults with {@code hookPath}: no ConfigMap overrides, no core policy, no legacy handshake, the
     * {@code envvar} device list, no static MIG strategy, MIG minors from the driver's file.
     */
    public static Settings defaults(Path hookPath) {
      return new Settings(PluginSettings.Overrides.none(), hookPath, "", false, DeviceListSettings.envvar(),
          MigStrategy.NONE, MigMinorsFile.reader(MigMinorsFile.DEFAULT));
    }

    public Settings withOverrides(PluginSettings.Overrides newOverrides) {
      return new Settings(newOverrides, hookPath, coreUtilizationPolicy, legacyHandshake, deviceList, migStrategy,
          migMinors);
    }

    public Settings withDeviceList(DeviceListSettings newDeviceList) {
      return new Settings(overrides, hookPath, coreUtilizationPolicy, legacyHandshake, newDeviceList, migStrategy,
          migMinors);
    }

    public Settings withMig(MigStrategy newStrategy, Supplier<MigMinors> newMinors) {
      return new Settings(overrides, hookPath, coreUtilizationPolicy, legacyHandshake, deviceList, newStrategy,
          newMinors);
    }
  }

  private final GpuBackend gpus;
  private final @Nullable Supplier<MigDevicePort> migPort;
  private final Settings settings;

  /**
   * @param migPort opens the MIG port, only when the node is in {@code mig} mode or a static MIG strategy is on
   *     (a port that is {@link AutoCloseable} is closed with the plugin); null: MIG cannot be used
   */
  public NvidiaBackend(GpuBackend gpus, @Nullable Supplier<MigDevicePort> migPort, Settings settings) {
    this.gpus = Objects.requireNonNull(gpus, "gpus");
    this.migPort = migPort;
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  @Override
  public String kind() {
    return "nvidia";
  }

  @Override
  public List<PhysicalGpu> discover() {
    return gpus.discover();
  }

  @Override
  public HealthMonitor health() {
    return gpus;
  }

  /** The GPU port this backend runs on. */
  public GpuBackend gpus() {
    return gpus;
  }

  @Override
  public NodeServing serve(NodeContext node) {
    PluginSettings plugin = PluginSettings.resolve(node.nodeName(), node.deviceConfig().nvidia(), node.nodeConfig(),
        settings.overrides());
    List<PhysicalGpu> selected = NodeInventory.selected(gpus.discover(), plugin);
    boolean dynamicMig = plugin.mode() == GpuMode.MIG;
    MigStrategy strategy = settings.migStrategy();
    if (dynamicMig && strategy != MigStrategy.NONE) {
      throw new MigSetupException("node " + node.nodeName() + " has operatingmode mig (dynamic MIG: layouts follow"
          + " the scheduler) and --mig-strategy " + strategy.wireName() + " (static layouts): choose one");
    }
    List<AutoCloseable> closeables = new ArrayList<>();
    MigInventory migInventory = null;
    if (dynamicMig || strategy != MigStrategy.NONE) {
      if (migPort == null) {
        throw new MigSetupException("MIG (" + (dynamicMig ? "operatingmode mig" : "--mig-strategy "
            + strategy.wireName()) + ") needs the NVML MIG port; none was given (fake GPUs: use --fake-mig FILE)");
      }
      MigDevicePort port = migPort.get();
      if (port instanceof AutoCloseable c) {
        closeables.add(c);
      }
      migInventory = new MigInventory(port, () -> NodeInventory.selected(gpus.discover(), plugin),
          settings.migMinors());
    }
    StaticMigPlan plan = strategy == MigStrategy.NONE ? StaticMigPlan.none(selected)
        : StaticMigPlan.plan(strategy, Objects.requireNonNull(migInventory).cards(),
            plugin.resourceNames().count());
    List<PhysicalGpu> cards = plan.vgpuCards();
    if (strategy != MigStrategy.NONE) {
      LOG.info("mig-strategy {}: {} whole cards, MIG resources {}", strategy.wireName(), cards.size(),
          plan.migResources().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().size()).toList());
    }
    LOG.info("node {}: {} GPUs to register (split {}, memory factor {}, core scaling {}, mode {})", node.nodeName(),
        cards.size(), plugin.splitCount(), plugin.memoryFactor(), plugin.coreScaling(), plugin.mode().wireName());

    AllocationSettings allocation = new AllocationSettings(plugin.resourceNames(), plugin.memoryFactor(),
        plugin.coreScaling(), plugin.disableCoreLimit(), settings.coreUtilizationPolicy(), settings.hookPath(),
        node.nodeName(), settings.hookPath().resolve("vgpu").resolve("containers"),
        AllocationSettings.DEFAULT_LOCK_DIR);
    CdiSpecRegistry registry = null;
    if (settings.deviceList().anyCdi()) {
      CdiSpecRegistry.Inventory inventory = migInventory != null ? migInventory
          : () -> cdiDevices(NodeInventory.selected(gpus.discover(), plugin));
      registry = cdiRegistry(settings.deviceList(), inventory);
    }
    allocation = allocation.withDeviceList(settings.deviceList(), registry);
    if (dynamicMig) {
      allocation = allocation.withMigSlices(DynamicMigSlices.over(Objects.requireNonNull(migInventory).port(),
          node.deviceConfig().nvidia().knownMigGeometries()));
      LOG.info("operatingmode mig: UUID[group-pos] slices get MIG devices ({} knownMigGeometries entries)",
          node.deviceConfig().nvidia().knownMigGeometries().size());
    }
    AllocationHandler handler = new VgpuAllocationHandler(allocation, node.pods(), node.lockRelease());
    var names = plugin.resourceNames();
    List<PluginResource> resources = new ArrayList<>();
    List<NodeNotice> notices = new ArrayList<>();
    if (!plan.migResources().containsKey(names.count())) {
      resources.add(new PluginResource(names.count(), DeviceIds.count(cards, plugin.splitCount()), handler,
          PluginResource.Grouping.ONE_PER_CARD));
      Optional<NodeNotice> tooMany = memoryListTooLarge(names.memory(), cards, plugin.memoryFactor());
      tooMany.ifPresent(notices::add);
      resources.add(new PluginResource(names.memory(),
          tooMany.isPresent() ? List.of() : DeviceIds.memory(cards, plugin.memoryFactor()), handler));
      resources.add(new PluginResource(names.cores(), DeviceIds.cores(cards, plugin.coreScaling()), handler));
    }
    if (!plan.migResources().isEmpty()) {
      AllocationHandler migHandler = new MigInstanceAllocationHandler(plan.migResources(),
          new DeviceListAnswer(settings.deviceList(), registry));
      plan.migResources().forEach((name, devices) -> resources.add(new PluginResource(name,
          devices.stream().map(d -> new AdvertisedDevice(d.uuid(), d.parentUuid(), d.numaNode())).toList(),
          migHandler)));
    }
    Optional<NodeRegistration> registration = Optional.of(new Registration(cards, plugin, settings.legacyHandshake()));
    if (cards.isEmpty() && !selected.isEmpty()) {
      LOG.info("no whole (vGPU) card left by mig-strategy {}: the node annotation is not published",
          strategy.wireName());
      registration = Optional.empty();
    }
    return new NodeServing(List.<PhysicalDevice>copyOf(selected), List.<PhysicalDevice>copyOf(cards), resources,
        registration,
        List.of(new LeftoverCollector(allocation.cacheRoot(), allocation.cdi(), node.clock(), LEFTOVER_GRACE),
            new LeftoverCollector(allocation.limitsRoot(), null, node.clock(), LEFTOVER_GRACE)),
        closeables, notices);
  }

  /**
   * When the memory list at {@code factor} would not fit the kubelet's ListAndWatch limit at its largest: the
   * notice that it is not served, naming the factor that fits. Not served rather than served: the kubelet drops a
   * list over the limit (the node shows the resource at 0 either way), and a factor chosen here for this node alone
   * would change what a pod's {@code vgpu-memory} means on it (units of that many MiB, while the sidecar, quotas and
   * the admission webhook count the cluster's unit), so the factor stays the device config's, changed on purpose.
   */
  static Optional<NodeNotice> memoryListTooLarge(String resource, List<PhysicalGpu> cards, int factor) {
    long bytes = DeviceIds.memoryListBytes(cards, factor);
    if (bytes <= DeviceIds.KUBELET_MAX_MESSAGE_BYTES) {
      return Optional.empty();
    }
    int fits = DeviceIds.minimumMemoryFactor(cards);
    return Optional.of(new NodeNotice(NodeNotice.TOO_MANY_DEVICE_IDS, String.format(Locale.ROOT,
        "%s is not served: gpuMemoryFactor %d makes %d device IDs, a ListAndWatch message of up to %.1f MiB (%d "
            + "bytes), over the kubelet's 4 MiB limit (it would drop the list); gpuMemoryFactor %d fits. Set "
            + "gpuMemoryFactor: %d or more in device-config.yaml (ConfigMap volcano-vgpu-device-config; pods then ask "
            + "%s in units of that many MiB). Until then only pods that do not ask %s run on this node",
        resource, factor, DeviceIds.memoryEntries(cards, factor), bytes / (1024.0 * 1024.0), bytes, fits, fits,
        resource, resource)));
  }

  /** {@code volcano.sh/node-vgpu-register} of the whole cards, and the legacy handshake when asked for. */
  private record Registration(List<PhysicalGpu> cards, PluginSettings plugin, boolean legacyHandshake)
      implements NodeRegistration {
    @Override
    public Map<String, String> annotations(Map<String, DeviceHealth> health) {
      return Map.of(io.github.volcanovgpu.contract.annotation.VgpuAnnotations.NODE_REGISTER,
          NodeInventory.annotation(cards, health, plugin));
    }

    @Override
    public Map<String, String> heartbeat(Instant now) {
      return legacyHandshake ? RegistrationPublisher.legacyHandshake(now) : Map.of();
    }
  }

  /** The CDI devices of whole cards, indexed in minor order, none MIG-enabled. */
  private static CdiSpecRegistry.Devices cdiDevices(List<PhysicalGpu> cards) {
    List<NvidiaGpu> out = new ArrayList<>();
    for (int i = 0; i < cards.size(); i++) {
      PhysicalGpu g = cards.get(i);
      out.add(new NvidiaGpu(i, g.uuid(), g.minorNumber(), false));
    }
    return new CdiSpecRegistry.Devices(out, List.of());
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
        () -> CdiSpecScan.deviceNames(list.runtimeDirs(), list.driverKind().orElseThrow(), codec),
        list.devRoot().toString());
    registry.start();
    LOG.info("CDI mode {}: spec {} in {} ({} devices)", list.strategies(), list.kind(), list.cdiRoot(),
        registry.deviceNames().size());
    return registry;
  }

  @Override
  public void close() {
    gpus.close();
  }
}
