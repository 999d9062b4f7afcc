package io.github.volcanovgpu.mig.reconcile;

import io.github.volcanovgpu.contract.config.MigGeometry;
import io.github.volcanovgpu.mig.gpu.GpuInfo;
import io.github.volcanovgpu.mig.gpu.MigDevice;
import io.github.volcanovgpu.mig.gpu.MigDevicePort;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the device plugin in {@code mig} mode calls on Allocate of {@code UUID[group-pos]}: brings the GPU to the
 * group's layout when it is not there yet (only when no process runs on the GPU) and resolves the position to a MIG
 * device.
 *
 * <p>Positions follow Volcano's numbering: the group's lines in order, {@code count} slots each. Position p is the
 * k-th slot of its profile; it resolves to the k-th instance of that profile ordered by placement start, so the
 * answer is the same whether this service or an operator created the layout.
 */
public final class MigLayoutService {
  private static final Logger LOG = LoggerFactory.getLogger(MigLayoutService.class);

  private final MigDevicePort port;
  private final MigReconciler reconciler;
  private final Object lock = new Object();

  public MigLayoutService(MigDevicePort port, MigReconciler reconciler) {
    this.port = Objects.requireNonNull(port, "port");
    this.reconciler = Objects.requireNonNull(reconciler, "reconciler");
  }

  /**
   * The device plugin's entry point: {@code deviceId} as the scheduler wrote it ({@code UUID[group-pos]}), the
   * group looked up in {@code knownMigGeometries} (the same ConfigMap the scheduler reads) by the GPU's NVML name,
   * as Volcano matches models against the registered type.
   *
   * @throws MigApplyException bad id, unknown GPU / model / group, or any failure of {@link #ensure(String, List,
   *     int)}
   */
  public MigDevice ensure(String deviceId, List<MigGeometry> knownMigGeometries) {
    MigSliceId id;
    try {
      id = MigSliceId.parse(deviceId);
    } catch (IllegalArgumentException e) {
      throw new MigApplyException(e.getMessage(), false);
    }
    String name = null;
    for (GpuInfo g : port.gpus()) {
      if (g.uuid().equals(id.gpuUuid())) {
        name = g.name();
      }
    }
    if (name == null) {
      throw new MigApplyException("no GPU with UUID " + id.gpuUuid() + " on this node", false);
    }
    for (MigGeometry geometry : knownMigGeometries) {
      boolean matches = false;
      for (String model : geometry.models()) {
        matches |= !model.isEmpty() && name.contains(model);
      }
      if (!matches) {
        continue;
      }
      for (MigGeometry.Group group : geometry.allowedGeometries()) {
        if (group.group().equals(id.group())) {
          List<GroupInstance> lines = new ArrayList<>();
          for (MigGeometry.Instance i : group.geometries()) {
            lines.add(new GroupInstance(i.name(), Math.max(0, i.count())));
          }
          return ensure(id.gpuUuid(), lines, id.position());
        }
      }
      throw new MigApplyException("knownMigGeometries has no group " + id.group() + " for " + name, false);
    }
    throw new MigApplyException("knownMigGeometries has no entry for GPU model " + name, false);
  }

  /**
   * Ensures GPU {@code gpuUuid} carries {@code group}'s layout and returns the MIG device at {@code position}.
   *
   * @throws MigApplyException unknown GPU, bad position, a layout that cannot be built, or (with
   *     {@link MigApplyException#busy()}) a change refused because processes run on the GPU
   */
  public MigDevice ensure(String gpuUuid, List<GroupInstance> group, int position) {
    synchronized (lock) {
      int gpu = indexOf(gpuUuid);
      Map<String, Integer> layout = new LinkedHashMap<>();
      String profile = null;
      int ordinal = -1;
      int p = position;
      for (GroupInstance line : group) {
        layout.merge(line.profile(), line.count(), Integer::sum);
        if (profile == null && p < line.count()) {
          profile = line.profile();
          ordinal = p + (layout.get(line.profile()) - line.count());
        }
        p -= line.count();
      }
      if (profile == null) {
        throw new MigApplyException("position " + position + " is outside the group (" + group + ")", false);
      }
      if (!reconciler.matches(gpu, true, layout)) {
        if (port.hasRunningClients(gpu)) {
          throw new MigApplyException("GPU " + gpuUuid + " has running MIG clients; refusing to change its layout "
              + reconciler.currentLayout(gpu) + " -> " + MigReconciler.nonZero(layout), true);
        }
        reconciler.apply(gpu, true, layout);
        LOG.info("GPU {} brought to layout {}", gpuUuid, MigReconciler.nonZero(layout));
      }
      List<MigDevice> same = new ArrayList<>();
      for (MigDevice d : port.migDevices(gpu)) {
        if (d.profile().equals(profile)) {
          same.add(d);
        }
      }
      same.sort(Comparator.comparingInt(MigDevice::start).thenComparingInt(MigDevice::gpuInstanceId));
      if (ordinal >= same.size()) {
        throw new MigApplyException("GPU " + gpuUuid + ": no MIG device for slot " + ordinal + " of " + profile
            + " (found " + same.size() + ")", false);
      }
      return same.get(ordinal);
    }
  }

  private int indexOf(String uuid) {
    for (GpuInfo g : port.gpus()) {
      if (g.uuid().equals(uuid)) {
        return g.index();
      }
    }
    throw new MigApplyException("no GPU with UUID " + uuid + " on this node", false);
  }
}
