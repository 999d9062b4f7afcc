package io.github.volcanovgpu.plugin.vendor.nvidia.gpu;

import io.github.volcanovgpu.mig.gpu.FakeGpuFile;
import io.github.volcanovgpu.mig.gpu.FakeMigGpus;
import io.github.volcanovgpu.mig.gpu.GpuInfo;
import io.github.volcanovgpu.mig.gpu.MigPortException;
import io.github.volcanovgpu.mig.profile.ProfileCatalogue;
import io.github.volcanovgpu.plugin.device.DiscoveryException;
import io.github.volcanovgpu.plugin.device.HealthEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The GPU backend of a fake MIG machine ({@code --fake-mig FILE}, mig-manager's fake GPU file): the plugin's cards
 * are exactly the machine's cards (UUID, NVML name, memory, minor = NVML index, MIG-capable), so the vGPU side and
 * the MIG port describe the same hardware. No health events.
 */
public final class FakeMigBackend implements GpuBackend {
  private final FakeMigGpus port;

  public FakeMigBackend(FakeMigGpus port) {
    this.port = Objects.requireNonNull(port, "port");
  }

  /** Loads mig-manager's fake GPU file ({@code gpus: [{model, uuid, migEnabled, runningClients, instances}]}). */
  public static FakeMigBackend load(Path file) {
    try {
      return new FakeMigBackend(FakeGpuFile.load(file, ProfileCatalogue.builtIn()));
    } catch (MigPortException e) {
      throw new DiscoveryException(e.getMessage(), e);
    }
  }

  public FakeMigGpus port() {
    return port;
  }

  @Override
  public List<PhysicalGpu> discover() {
    List<PhysicalGpu> out = new ArrayList<>();
    for (GpuInfo g : port.gpus()) {
      out.add(new PhysicalGpu(g.uuid(), g.index(), g.name(), g.memoryMib(), -1, true));
    }
    if (out.isEmpty()) {
      throw new DiscoveryException("the fake MIG machine has no GPU");
    }
    return out;
  }

  /** Every card idle: a fake MIG machine runs nothing. */
  @Override
  public List<CardUsage> usage() {
    return discover().stream().map(g -> CardUsage.idle(g.uuid())).toList();
  }

  @Override
  public void watchHealth(Consumer<HealthEvent> listener) {
    // a fake machine never fails
  }

  @Override
  public void close() {
    // nothing held
  }
}
