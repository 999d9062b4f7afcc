package io.github.volcanovgpu.mig.reconcile;

import io.github.volcanovgpu.mig.gpu.GpuInfo;
import io.github.volcanovgpu.mig.gpu.GpuInstance;
import io.github.volcanovgpu.mig.gpu.MigDevicePort;
import io.github.volcanovgpu.mig.gpu.MigMode;
import io.github.volcanovgpu.mig.layout.DeviceSelector;
import io.github.volcanovgpu.mig.layout.MigConfigEntry;
import io.github.volcanovgpu.mig.layout.MigConfigSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** The machine's current MIG state as a mig-parted config named {@code current}, one entry per GPU. */
public final class MigExporter {
  public static final String CURRENT = "current";

  private final MigDevicePort port;

  public MigExporter(MigDevicePort port) {
    this.port = Objects.requireNonNull(port, "port");
  }

  public MigConfigSpec export() {
    List<MigConfigEntry> entries = new ArrayList<>();
    for (GpuInfo g : port.gpus()) {
      MigMode mode = port.migMode(g.index());
      boolean enabled = mode.capable() && mode.current();
      Map<String, Integer> devices = new LinkedHashMap<>();
      if (enabled) {
        TreeMap<String, Integer> sorted = new TreeMap<>();
        for (GpuInstance gi : port.gpuInstances(g.index())) {
          sorted.merge(gi.profile(), 1, Integer::sum);
        }
        devices.putAll(sorted);
      }
      entries.add(new MigConfigEntry(DeviceSelector.of(List.of(g.index())), enabled, devices,
          List.of(g.pciDeviceId())));
    }
    Map<String, List<MigConfigEntry>> configs = new LinkedHashMap<>();
    configs.put(CURRENT, entries);
    return new MigConfigSpec(MigConfigSpec.VERSION, configs);
  }
}
