package io.github.volcanovgpu.mig.reconcile;

import io.github.volcanovgpu.mig.gpu.GpuInfo;
import io.github.volcanovgpu.mig.gpu.GpuInstance;
import io.github.volcanovgpu.mig.gpu.MigDevicePort;
import io.github.volcanovgpu.mig.gpu.MigMode;
import io.github.volcanovgpu.mig.gpu.MigPortException;
import io.github.volcanovgpu.mig.layout.MigConfigEntry;
import io.github.volcanovgpu.mig.layout.MigConfigSpec;
import io.github.volcanovgpu.mig.profile.GpuModel;
import io.github.volcanovgpu.mig.profile.MigProfile;
import io.github.volcanovgpu.mig.profile.ProfileSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies MIG layouts through a {@link MigDevicePort}, as mig-parted's apply does: assert first (a GPU already in
 * the layout is not touched), refuse a GPU with running clients, enable MIG, destroy CIs then GIs, create each GI at
 * its planned placement with its full-size CI, verify, and on any failure roll back to a clean GPU (no instances).
 */
public final class MigReconciler {
  private static final Logger LOG = LoggerFactory.getLogger(MigReconciler.class);

  private final MigDevicePort port;
  private final ProfileSource profiles;
  private final MigPlanner planner = new MigPlanner();

  public MigReconciler(MigDevicePort port, ProfileSource profiles) {
    this.port = Objects.requireNonNull(port, "port");
    this.profiles = Objects.requireNonNull(profiles, "profiles");
  }

  /** The GPU's model with its profiles, or a clear error when the GPU is not a known MIG model. */
  public GpuModel model(int gpu) {
    GpuInfo info = info(gpu);
    return profiles.model(gpu, info.name(), info.pciDeviceId()).orElseThrow(() -> new MigApplyException(
        "GPU " + gpu + " (" + info.name() + ", " + info.pciDeviceId() + ") is not a known MIG-capable model",
        false));
  }

  /** Profile name to count of the GI currently on the GPU (only GIs that have a CI count as usable). */
  public Map<String, Integer> currentLayout(int gpu) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (GpuInstance gi : sorted(port.gpuInstances(gpu))) {
      counts.merge(gi.profile(), 1, Integer::sum);
    }
    return counts;
  }

  /** True when the GPU is already exactly in this state (mig-parted's assert). */
  public boolean matches(int gpu, boolean enabled, Map<String, Integer> layout) {
    MigMode mode = port.migMode(gpu);
    if (!mode.capable()) {
      return !enabled;
    }
    if (mode.changePending() || mode.current() != enabled) {
      return false;
    }
    List<GpuInstance> gis = port.gpuInstances(gpu);
    if (!enabled) {
      return gis.isEmpty();
    }
    for (GpuInstance gi : gis) {
      if (gi.computeInstances().size() != 1) {
        return false;
      }
    }
    return currentLayout(gpu).equals(nonZero(layout));
  }

  /** Applies {@code enabled}/{@code layout} to one GPU. */
  public ApplyOutcome apply(int gpu, boolean enabled, Map<String, Integer> layout) {
    List<Placement> planned = enabled ? plan(gpu, layout) : List.of();
    if (matches(gpu, enabled, layout)) {
      return new ApplyOutcome(gpu, false, currentPlacements(gpu));
    }
    if (port.hasRunningClients(gpu)) {
      throw new MigApplyException("GPU " + gpu + " has running processes; refusing to change its MIG layout "
          + currentLayout(gpu) + " -> " + (enabled ? nonZero(layout) : "MIG disabled"), true);
    }
    MigMode mode = port.migMode(gpu);
    if (!mode.capable()) {
      throw new MigApplyException("GPU " + gpu + " is not MIG-capable", false);
    }
    try {
      clear(gpu);
      if (!enabled) {
        if (mode.current() || mode.pending()) {
          port.setMigMode(gpu, false);
        }
        LOG.info("GPU {}: MIG disabled", gpu);
        return new ApplyOutcome(gpu, true, List.of());
      }
      if (!mode.current()) {
        port.setMigMode(gpu, true);
        if (port.migMode(gpu).changePending()) {
          throw new MigApplyException("GPU " + gpu + ": MIG mode enable is pending a GPU reset", false);
        }
      }
      for (Placement p : planned) {
        GpuInstance gi = port.createGpuInstance(gpu, p.profile(), p.start());
        port.createComputeInstance(gpu, gi.id());
      }
      if (!currentLayout(gpu).equals(nonZero(layout))) {
        throw new MigApplyException("GPU " + gpu + ": verification failed, found " + currentLayout(gpu)
            + " after creating " + nonZero(layout), false);
      }
      LOG.info("GPU {}: MIG layout {} applied at {}", gpu, nonZero(layout), planned);
      return new ApplyOutcome(gpu, true, planned);
    } catch (MigPortException | MigApplyException e) {
      rollback(gpu);
      throw new MigApplyException("GPU " + gpu + ": applying " + nonZero(layout) + " failed: " + e.getMessage()
          + "; rolled back to a GPU without MIG instances", e);
    }
  }

  /**
   * Applies config {@code name} of {@code spec} to every GPU it selects. Everything is checked on every GPU
   * (known config, plannable layout, no running clients where a change is needed) before any GPU is touched.
   */
  public List<ApplyOutcome> apply(MigConfigSpec spec, String name) {
    if (spec.config(name).isEmpty()) {
      throw new MigApplyException("config " + name + " not found (known: " + spec.configs().keySet() + ")",
          false);
    }
    Map<Integer, MigConfigEntry> selected = new LinkedHashMap<>();
    for (GpuInfo g : port.gpus()) {
      spec.entryFor(name, g.index(), g.name(), g.pciDeviceId()).ifPresent(e -> selected.put(g.index(), e));
    }
    for (Map.Entry<Integer, MigConfigEntry> s : selected.entrySet()) {
      int gpu = s.getKey();
      MigConfigEntry e = s.getValue();
      if (e.migEnabled()) {
        plan(gpu, e.migDevices());
      }
      if (!matches(gpu, e.migEnabled(), e.migDevices()) && port.hasRunningClients(gpu)) {
        throw new MigApplyException("GPU " + gpu + " has running processes; config " + name
            + " would change its MIG layout, nothing applied", true);
      }
    }
    List<ApplyOutcome> out = new ArrayList<>();
    for (Map.Entry<Integer, MigConfigEntry> s : selected.entrySet()) {
      out.add(apply(s.getKey(), s.getValue().migEnabled(), s.getValue().migDevices()));
    }
    return out;
  }

  /** True when every GPU selected by config {@code name} already matches (mig-parted assert). */
  public boolean asserts(MigConfigSpec spec, String name) {
    if (spec.config(name).isEmpty()) {
      return false;
    }
    for (GpuInfo g : port.gpus()) {
      Optional<MigConfigEntry> e = spec.entryFor(name, g.index(), g.name(), g.pciDeviceId());
      if (e.isPresent() && !matches(g.index(), e.get().migEnabled(), e.get().migDevices())) {
        return false;
      }
    }
    return true;
  }

  /** The placements of the GPU's current instances, ordered by start. */
  public List<Placement> currentPlacements(int gpu) {
    GpuModel model = model(gpu);
    List<Placement> out = new ArrayList<>();
    for (GpuInstance gi : sorted(port.gpuInstances(gpu))) {
      MigProfile p = model.profile(gi.profile()).orElseThrow(() -> new MigApplyException(
          "GPU " + gpu + ": GI " + gi.id() + " has profile " + gi.profile() + " unknown to " + model.name(), false));
      out.add(new Placement(p, gi.start()));
    }
    return out;
  }

  private List<Placement> plan(int gpu, Map<String, Integer> layout) {
    PlanResult r = planner.plan(model(gpu), layout);
    if (r instanceof PlanResult.Impossible i) {
      throw new MigApplyException("GPU " + gpu + ": " + i.reason(), false);
    }
    return ((PlanResult.Planned) r).placements();
  }

  /** Destroys every CI, then every GI (mig-parted ClearMigConfig). */
  void clear(int gpu) {
    for (GpuInstance gi : port.gpuInstances(gpu)) {
      for (int ci : gi.computeInstances()) {
        port.destroyComputeInstance(gpu, gi.id(), ci);
      }
    }
    for (GpuInstance gi : port.gpuInstances(gpu)) {
      port.destroyGpuInstance(gpu, gi.id());
    }
  }

  private void rollback(int gpu) {
    try {
      clear(gpu);
    } catch (MigPortException e) {
      LOG.error("GPU {}: rollback to a clean GPU failed: {}", gpu, e.getMessage());
    }
  }

  private GpuInfo info(int gpu) {
    for (GpuInfo g : port.gpus()) {
      if (g.index() == gpu) {
        return g;
      }
    }
    throw new MigApplyException("no GPU with index " + gpu, false);
  }

  private static List<GpuInstance> sorted(List<GpuInstance> gis) {
    List<GpuInstance> s = new ArrayList<>(gis);
    s.sort(Comparator.comparingInt(GpuInstance::start).thenComparingInt(GpuInstance::id));
    return s;
  }

  static Map<String, Integer> nonZero(Map<String, Integer> layout) {
    Map<String, Integer> out = new LinkedHashMap<>();
    layout.forEach((k, v) -> {
      if (v > 0) {
        out.put(k, v);
      }
    });
    return out;
  }
}
