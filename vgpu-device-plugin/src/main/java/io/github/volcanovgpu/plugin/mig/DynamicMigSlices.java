package io.github.volcanovgpu.plugin.mig;

import io.github.volcanovgpu.contract.config.MigGeometry;
import io.github.volcanovgpu.mig.gpu.MigDevicePort;
import io.github.volcanovgpu.mig.gpu.MigPortException;
import io.github.volcanovgpu.mig.gpu.PortProfileSource;
import io.github.volcanovgpu.mig.profile.PreferRuntimeProfileSource;
import io.github.volcanovgpu.mig.profile.ProfileCatalogue;
import io.github.volcanovgpu.mig.reconcile.MigApplyException;
import io.github.volcanovgpu.mig.reconcile.MigLayoutService;
import io.github.volcanovgpu.mig.reconcile.MigReconciler;
import io.github.volcanovgpu.plugin.allocate.MigSlices;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamic MIG (node {@code operatingmode: mig}; reference volcano-vgpu.md §3.7): {@code UUID[group-pos]} is looked up
 * in {@code knownMigGeometries}, the card brought to the group's layout by {@link MigLayoutService#ensure} when it is
 * not there (refused while processes run on the card), and the position resolved to its MIG device. Unlike the
 * existing plugin a failure is an Allocate error, not a crash of the plugin.
 */
public final class DynamicMigSlices implements MigSlices {
  private static final Logger LOG = LoggerFactory.getLogger(DynamicMigSlices.class);

  private final MigLayoutService layouts;
  private final List<MigGeometry> known;

  public DynamicMigSlices(MigLayoutService layouts, List<MigGeometry> knownMigGeometries) {
    this.layouts = Objects.requireNonNull(layouts, "layouts");
    this.known = List.copyOf(knownMigGeometries);
  }

  /** Over {@code port}, with NVML's profiles preferred over the built-in catalogue. */
  public static DynamicMigSlices over(MigDevicePort port, List<MigGeometry> knownMigGeometries) {
    ProfileCatalogue catalogue = ProfileCatalogue.builtIn();
    MigReconciler reconciler = new MigReconciler(port,
        new PreferRuntimeProfileSource(new PortProfileSource(port, catalogue), catalogue));
    return new DynamicMigSlices(new MigLayoutService(port, reconciler), knownMigGeometries);
  }

  @Override
  public String resolve(String sliceId) {
    try {
      var device = layouts.ensure(sliceId, known);
      LOG.info("MIG slice {} is {} (GI {}, CI {}, {})", sliceId, device.uuid(), device.gpuInstanceId(),
          device.computeInstanceId(), device.profile());
      return device.uuid();
    } catch (MigApplyException e) {
      throw new MigSliceException("MIG slice " + sliceId + ": " + e.getMessage(), e.busy(), e);
    } catch (MigPortException e) {
      throw new MigSliceException("MIG slice " + sliceId + ": NVML: " + e.getMessage(), false, e);
    }
  }
}
