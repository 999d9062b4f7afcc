package io.github.volcanovgpu.mig.gpu;

import io.github.volcanovgpu.mig.profile.GpuModel;
import io.github.volcanovgpu.mig.profile.MigProfile;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An in-memory machine of MIG-capable GPUs that enforces the hardware rules the planner must respect (placements
 * from the model table, no overlapping memory slices, compute slices and per-profile instance limits, CIs before
 * GIs), with failure injection for rollback tests. Thread-safe (one lock).
 */
public final class FakeMigGpus implements MigDevicePort {
  /** Operations a test can make fail. */
  public enum Op {
    SET_MIG_MODE, CREATE_GI, CREATE_CI, DESTROY_CI, DESTROY_GI
  }

  private final Object lock = new Object();
  private final List<FakeGpu> gpus = new ArrayList<>();
  private final EnumMap<Op, Integer> failAfter = new EnumMap<>(Op.class);
  private int uuidCounter;

  /** Adds an idle GPU of {@code model} (MIG disabled) and returns its index. */
  public int addGpu(GpuModel model, String uuid) {
    synchronized (lock) {
      long mem = 0;
      for (MigProfile p : model.profiles()) {
        mem = Math.max(mem, p.memoryMib());
      }
      String pci = model.pciDeviceIds().isEmpty() ? "0x000010DE" : model.pciDeviceIds().get(0);
      String name = "NVIDIA " + (model.nameMatches().isEmpty() ? model.name() : model.nameMatches().get(0));
      gpus.add(new FakeGpu(new GpuInfo(gpus.size(), uuid, name, pci, mem), model));
      return gpus.size() - 1;
    }
  }

  /** The next {@code op} after {@code okCalls} successful ones fails once (INSUFFICIENT_RESOURCES). */
  public void failAfter(Op op, int okCalls) {
    synchronized (lock) {
      failAfter.put(op, okCalls);
    }
  }

  /** Marks a GPU as having (or not) running processes. */
  public void setRunningClients(int gpu, boolean running) {
    synchronized (lock) {
      gpu(gpu).clients = running;
    }
  }

  /** The model backing GPU {@code gpu}. */
  public GpuModel model(int gpu) {
    synchronized (lock) {
      return gpu(gpu).model;
    }
  }

  @Override
  public List<GpuInfo> gpus() {
    synchronized (lock) {
      List<GpuInfo> out = new ArrayList<>(gpus.size());
      for (FakeGpu g : gpus) {
        out.add(g.info);
      }
      return out;
    }
  }

  @Override
  public MigMode migMode(int gpu) {
    synchronized (lock) {
      FakeGpu g = gpu(gpu);
      return new MigMode(true, g.migEnabled, g.migEnabled);
    }
  }

  @Override
  public void setMigMode(int gpu, boolean enabled) {
    synchronized (lock) {
      maybeFail(Op.SET_MIG_MODE, gpu);
      FakeGpu g = gpu(gpu);
      if (!enabled && !g.instances.isEmpty()) {
        throw new MigPortException("GPU " + gpu + ": cannot disable MIG while GPU instances exist", 19);
      }
      g.migEnabled = enabled;
    }
  }

  @Override
  public List<MigProfile> profiles(int gpu) {
    synchronized (lock) {
      return gpu(gpu).model.profiles();
    }
  }

  @Override
  public List<GpuInstance> gpuInstances(int gpu) {
    synchronized (lock) {
      List<GpuInstance> out = new ArrayList<>();
      for (FakeGi gi : gpu(gpu).instances.values()) {
        out.add(new GpuInstance(gi.id, gi.profile.name(), gi.start, gi.profile.memorySlices(),
            new ArrayList<>(gi.cis.keySet())));
      }
      return out;
    }
  }

  @Override
  public GpuInstance createGpuInstance(int gpu, MigProfile profile, int start) {
    synchronized (lock) {
      FakeGpu g = gpu(gpu);
      if (!g.migEnabled) {
        throw new MigPortException("GPU " + gpu + ": MIG mode is not enabled", 3);
      }
      maybeFail(Op.CREATE_GI, gpu);
      MigProfile known = g.model.profile(profile.name())
          .orElseThrow(() -> new MigPortException("GPU " + gpu + ": profile " + profile.name() + " not supported", 3));
      if (!known.validStart(start)) {
        throw new MigPortException(
            "GPU " + gpu + ": " + start + ":" + known.memorySlices() + " is not a valid placement for "
                + known.name(),
            2);
      }
      int sameProfile = 0;
      int compute = known.computeSlices();
      for (FakeGi gi : g.instances.values()) {
        if (gi.profile.name().equals(known.name())) {
          sameProfile++;
        }
        compute += gi.profile.computeSlices();
        boolean overlap = start < gi.start + gi.profile.memorySlices() && gi.start < start + known.memorySlices();
        if (overlap) {
          throw new MigPortException("GPU " + gpu + ": placement " + start + ":" + known.memorySlices()
              + " overlaps GI " + gi.id + " (" + gi.profile.name() + " at " + gi.start + ")", 23);
        }
      }
      if (sameProfile >= known.maxInstances() || compute > g.model.computeSlices()) {
        throw new MigPortException("GPU " + gpu + ": no capacity left for " + known.name(), 23);
      }
      FakeGi gi = new FakeGi(g.nextGi++, known, start);
      g.instances.put(gi.id, gi);
      return new GpuInstance(gi.id, known.name(), start, known.memorySlices(), List.of());
    }
  }

  @Override
  public int createComputeInstance(int gpu, int gpuInstanceId) {
    synchronized (lock) {
      maybeFail(Op.CREATE_CI, gpu);
      FakeGi gi = gi(gpu, gpuInstanceId);
      if (!gi.cis.isEmpty()) {
        throw new MigPortException("GPU " + gpu + " GI " + gpuInstanceId + ": full-size CI already exists", 23);
      }
      int ci = 0;
      gi.cis.put(ci, String.format("MIG-%08x-fake-%04d-%04d-%012d", uuidCounter++, gpu, gpuInstanceId, ci));
      return ci;
    }
  }

  @Override
  public void destroyComputeInstance(int gpu, int gpuInstanceId, int computeInstanceId) {
    synchronized (lock) {
      maybeFail(Op.DESTROY_CI, gpu);
      FakeGi gi = gi(gpu, gpuInstanceId);
      if (gi.cis.remove(computeInstanceId) == null) {
        throw new MigPortException(
            "GPU " + gpu + " GI " + gpuInstanceId + ": no CI " + computeInstanceId, 6);
      }
    }
  }

  @Override
  public void destroyGpuInstance(int gpu, int gpuInstanceId) {
    synchronized (lock) {
      maybeFail(Op.DESTROY_GI, gpu);
      FakeGi gi = gi(gpu, gpuInstanceId);
      if (!gi.cis.isEmpty()) {
        throw new MigPortException(
            "GPU " + gpu + " GI " + gpuInstanceId + ": destroy its compute instances first", 19);
      }
      gpu(gpu).instances.remove(gpuInstanceId);
    }
  }

  @Override
  public List<MigDevice> migDevices(int gpu) {
    synchronized (lock) {
      List<MigDevice> out = new ArrayList<>();
      List<FakeGi> sorted = new ArrayList<>(gpu(gpu).instances.values());
      sorted.sort(Comparator.comparingInt(gi -> gi.id));
      for (FakeGi gi : sorted) {
        for (Map.Entry<Integer, String> ci : gi.cis.entrySet()) {
          out.add(new MigDevice(ci.getValue(), gi.id, ci.getKey(), gi.profile.name(), gi.start));
        }
      }
      return out;
    }
  }

  @Override
  public boolean hasRunningClients(int gpu) {
    synchronized (lock) {
      return gpu(gpu).clients;
    }
  }

  private void maybeFail(Op op, int gpu) {
    Integer left = failAfter.get(op);
    if (left == null) {
      return;
    }
    if (left == 0) {
      failAfter.remove(op);
      throw new MigPortException("GPU " + gpu + ": injected failure of " + op, 23);
    }
    failAfter.put(op, left - 1);
  }

  private FakeGpu gpu(int index) {
    if (index < 0 || index >= gpus.size()) {
      throw new MigPortException("no GPU with index " + index, 28);
    }
    return gpus.get(index);
  }

  private FakeGi gi(int gpu, int id) {
    FakeGi gi = gpu(gpu).instances.get(id);
    if (gi == null) {
      throw new MigPortException("GPU " + gpu + ": no GPU instance " + id, 6);
    }
    return gi;
  }

  private static final class FakeGpu {
    final GpuInfo info;
    final GpuModel model;
    final TreeMap<Integer, FakeGi> instances = new TreeMap<>();
    boolean migEnabled;
    boolean clients;
    int nextGi = 1;

    FakeGpu(GpuInfo info, GpuModel model) {
      this.info = info;
      this.model = model;
    }
  }

  private static final class FakeGi {
    final int id;
    final MigProfile profile;
    final int start;
    final TreeMap<Integer, String> cis = new TreeMap<>();

    FakeGi(int id, MigProfile profile, int start) {
      this.id = id;
      this.profile = profile;
      this.start = start;
    }
  }
}
