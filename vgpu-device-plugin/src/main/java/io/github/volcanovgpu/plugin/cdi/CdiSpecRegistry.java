package io.github.volcanovgpu.plugin.cdi;

import io.github.volcanovgpu.cdi.CdiException;
import io.github.volcanovgpu.cdi.CdiSpec;
import io.github.volcanovgpu.cdi.Kind;
import io.github.volcanovgpu.cdi.QualifiedName;
import io.github.volcanovgpu.cdi.nvidia.MigDevice;
import io.github.volcanovgpu.cdi.nvidia.NvidiaCdiGenerator;
import io.github.volcanovgpu.cdi.nvidia.NvidiaGpu;
import io.github.volcanovgpu.cdi.nvidia.VgpuSlice;
import io.github.volcanovgpu.cdi.store.CdiSpecWriter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the CDI specs ahead of the Allocate answers: {@link #ensure} is called on the Allocate path before a response
 * is returned and only returns once every device it names is in a spec file on disk (written atomically). A device
 * the written spec does not know yet (a card added, a MIG instance created on demand) makes it read the inventory
 * again and rewrite the kind's main spec first; an unknown device is an error, never a name the runtime cannot
 * resolve (the HAMi v2.9 "unresolvable CDI devices" bug, reference deviceplugin-cdi-mig.md §4.4). Each vGPU slice set
 * is its own transient spec file, so allocations never rewrite the main spec to add slices. Thread-safe.
 */
public final class CdiSpecRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(CdiSpecRegistry.class);

  /** The node's devices now; asked at start and whenever a device is not in the written spec. */
  @FunctionalInterface
  public interface Inventory {
    Devices current();
  }

  /**
   * The devices of the main spec.
   *
   * @param gpus full GPUs
   * @param migs MIG devices
   */
  public record Devices(List<NvidiaGpu> gpus, List<MigDevice> migs) {
    public Devices {
      gpus = List.copyOf(gpus);
      migs = List.copyOf(migs);
    }
  }

  /** The device names of the driver spec kind as the runtime would load them now. */
  @FunctionalInterface
  public interface DriverSpecs {
    Set<String> deviceNames();
  }

  private final Kind kind;
  private final CdiSpecWriter writer;
  private final Inventory inventory;
  private final NvidiaCdiGenerator.Options options;
  private final @Nullable Kind driverKind;
  private final DriverSpecs driverSpecs;
  private Set<String> written = Set.of();

  public CdiSpecRegistry(Kind kind, CdiSpecWriter writer, Inventory inventory) {
    this(kind, writer, inventory, null, Set::of);
  }

  /**
   * With {@code driverKind}, every device is also named as {@code <driverKind>=<uuid>} (nvidia-ctk's spec: driver
   * libraries and hooks), after checking it is in {@code driverSpecs}: we generate no driver spec, so a missing one
   * is an error, never an unresolvable name.
   */
  public CdiSpecRegistry(Kind kind, CdiSpecWriter writer, Inventory inventory, @Nullable Kind driverKind,
      DriverSpecs driverSpecs) {
    this(kind, writer, inventory, driverKind, driverSpecs, "/");
  }

  /**
   * As above, the device nodes' {@code dev/} under {@code devRoot} on the host (nvidia-ctk's {@code --dev-root}):
   * other than {@code /}, every node of the main spec carries that host path.
   */
  public CdiSpecRegistry(Kind kind, CdiSpecWriter writer, Inventory inventory, @Nullable Kind driverKind,
      DriverSpecs driverSpecs, String devRoot) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.writer = Objects.requireNonNull(writer, "writer");
    this.inventory = Objects.requireNonNull(inventory, "inventory");
    this.options = new NvidiaCdiGenerator.Options(kind, EnumSet.allOf(NvidiaCdiGenerator.Naming.class), true,
        devRoot, NvidiaCdiGenerator.CONTROL_NODES);
    this.driverKind = driverKind;
    this.driverSpecs = Objects.requireNonNull(driverSpecs, "driverSpecs");
  }

  public Kind kind() {
    return kind;
  }

  /** Writes the main spec from the inventory (at plugin start); removes it when the node has no device. */
  public synchronized void start() {
    refresh();
  }

  /**
   * Makes sure every device in {@code deviceIds} (GPU or MIG UUIDs) and the slice set are in spec files on disk,
   * then returns their qualified names: the devices in order, the driver spec's devices (if configured), then the
   * slice.
   *
   * @throws CdiException when a device is not on this node even after re-reading the inventory, or a spec cannot
   *     be written
   */
  public synchronized List<QualifiedName> ensure(List<String> deviceIds, @Nullable VgpuSlice slice) {
    List<String> missing = deviceIds.stream().filter(id -> !written.contains(id)).toList();
    if (!missing.isEmpty()) {
      LOG.info("CDI spec {} lacks {}: regenerating from the inventory before answering", kind, missing);
      refresh();
      List<String> still = deviceIds.stream().filter(id -> !written.contains(id)).toList();
      if (!still.isEmpty()) {
        throw new CdiException("devices " + still + " are not on this node (CDI spec " + kind + " has "
            + written.size() + " devices); not naming a device the runtime cannot resolve");
      }
    }
    List<QualifiedName> out = new ArrayList<>();
    for (String id : deviceIds) {
      out.add(kind.device(id));
    }
    if (driverKind != null) {
      Set<String> driver = driverSpecs.deviceNames();
      List<String> absent = deviceIds.stream().filter(id -> !driver.contains(id)).toList();
      if (!absent.isEmpty()) {
        throw new CdiException("devices " + absent + " are not in the driver CDI spec " + driverKind
            + " (generate it, e.g. nvidia-ctk cdi generate --output=/var/run/cdi/nvidia.yaml)");
      }
      for (String id : deviceIds) {
        out.add(driverKind.device(id));
      }
    }
    if (slice != null) {
      writer.writeTransient(NvidiaCdiGenerator.slices(kind, List.of(slice)), slice.name());
      out.add(kind.device(slice.name()));
    }
    return out;
  }

  /** Removes a slice set's spec (its container is gone); false when there was none. */
  public synchronized boolean forgetSlice(String sliceName) {
    return writer.removeTransient(kind, sliceName);
  }

  /** The names of the slice sets published now (one per container: {@code vgpu-<podUID>_<container>}). */
  public synchronized List<String> sliceNames() {
    return writer.transientIds(kind);
  }

  /** The device names of the main spec as last written. */
  public synchronized Set<String> deviceNames() {
    return written;
  }

  private void refresh() {
    Devices devices;
    try {
      devices = inventory.current();
    } catch (RuntimeException e) {
      throw new CdiException("cannot read the device inventory for the CDI spec " + kind + ": " + e.getMessage(), e);
    }
    CdiSpec spec = NvidiaCdiGenerator.gpus(options, devices.gpus(), devices.migs());
    if (spec.devices().isEmpty()) {
      writer.remove(kind);
      written = Set.of();
      LOG.warn("no devices: CDI spec {} removed", kind);
      return;
    }
    writer.write(spec);
    Set<String> names = new LinkedHashSet<>(spec.deviceNames());
    LOG.info("CDI spec {} written with {} devices", kind, names.size());
    written = java.util.Collections.unmodifiableSet(names);
  }
}
