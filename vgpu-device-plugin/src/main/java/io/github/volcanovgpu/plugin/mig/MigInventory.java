package io.github.volcanovgpu.plugin.mig;

import io.github.volcanovgpu.cdi.nvidia.MigDevice;
import io.github.volcanovgpu.cdi.nvidia.MigMinors;
import io.github.volcanovgpu.cdi.nvidia.NvidiaGpu;
import io.github.volcanovgpu.mig.gpu.GpuInfo;
import io.github.volcanovgpu.mig.gpu.MigDevicePort;
import io.github.volcanovgpu.plugin.cdi.CdiSpecRegistry;
import io.github.volcanovgpu.plugin.vendor.nvidia.gpu.PhysicalGpu;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's cards with their MIG devices, read from the MIG port now: the static strategies' input and the CDI
 * spec's inventory (cards whose MIG mode is on are not CDI devices themselves; each MIG device is, with the parent
 * node and its GI/CI capability nodes). Cards are matched between the GPU backend and the port by UUID.
 */
public final class MigInventory implements CdiSpecRegistry.Inventory {
  private static final Logger LOG = LoggerFactory.getLogger(MigInventory.class);

  private final MigDevicePort port;
  private final Supplier<List<PhysicalGpu>> gpus;
  private final Supplier<MigMinors> minors;

  /**
   * @param gpus the selected cards (filtered, minor order), asked on every read
   * @param minors the capability minors ({@link MigMinorsFile}); asked only when a MIG device exists
   */
  public MigInventory(MigDevicePort port, Supplier<List<PhysicalGpu>> gpus, Supplier<MigMinors> minors) {
    this.port = Objects.requireNonNull(port, "port");
    this.gpus = Objects.requireNonNull(gpus, "gpus");
    this.minors = Objects.requireNonNull(minors, "minors");
  }

  public MigDevicePort port() {
    return port;
  }

  /** The selected cards, each with its MIG mode and MIG devices now. */
  public List<MigCard> cards() {
    Map<String, GpuInfo> byUuid = new HashMap<>();
    for (GpuInfo info : port.gpus()) {
      byUuid.put(info.uuid(), info);
    }
    List<MigCard> out = new ArrayList<>();
    for (PhysicalGpu g : gpus.get()) {
      GpuInfo info = byUuid.get(g.uuid());
      if (info == null) {
        LOG.warn("GPU {} is not known to the MIG port: treated as a card without MIG", g.uuid());
        out.add(new MigCard(g, -1, false, List.of()));
        continue;
      }
      boolean enabled = port.migMode(info.index()).current();
      List<MigInstance> instances = new ArrayList<>();
      if (enabled) {
        List<io.github.volcanovgpu.mig.gpu.MigDevice> devices = port.migDevices(info.index());
        for (int i = 0; i < devices.size(); i++) {
          var d = devices.get(i);
          instances.add(new MigInstance(d.uuid(), g.uuid(), info.index(), g.minorNumber(), i, d.gpuInstanceId(),
              d.computeInstanceId(), d.profile(), g.numaNode()));
        }
      }
      out.add(new MigCard(g, info.index(), enabled, instances));
    }
    return out;
  }

  /** The CDI inventory: cards (MIG-enabled ones flagged) and every MIG device with its capability minors. */
  @Override
  public CdiSpecRegistry.Devices current() {
    List<MigCard> cards = cards();
    List<NvidiaGpu> out = new ArrayList<>();
    List<MigDevice> migs = new ArrayList<>();
    MigMinors table = null;
    for (int i = 0; i < cards.size(); i++) {
      MigCard c = cards.get(i);
      int index = c.nvmlIndex() >= 0 ? c.nvmlIndex() : i;
      out.add(new NvidiaGpu(index, c.gpu().uuid(), c.gpu().minorNumber(), c.migEnabled()));
      for (MigInstance m : c.instances()) {
        if (table == null) {
          table = minors.get();
        }
        migs.add(MigDevice.resolve(m.uuid(), index, m.parentMinor(), m.position(), m.gi(), m.ci(), table));
      }
    }
    return new CdiSpecRegistry.Devices(out, migs);
  }
}
