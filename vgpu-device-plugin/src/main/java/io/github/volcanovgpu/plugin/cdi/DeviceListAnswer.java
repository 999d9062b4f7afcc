package io.github.volcanovgpu.plugin.cdi;

import io.github.volcanovgpu.cdi.CdiAnnotations;
import io.github.volcanovgpu.cdi.QualifiedName;
import io.github.volcanovgpu.cdi.nvidia.NvidiaCdiGenerator;
import io.github.volcanovgpu.proto.kubelet.v1beta1.CDIDevice;
import io.github.volcanovgpu.proto.kubelet.v1beta1.ContainerAllocateResponse;
import io.github.volcanovgpu.proto.kubelet.v1beta1.Mount;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The device-list part of a container's Allocate answer for devices handed out whole (full GPUs or MIG devices,
 * no libvgpu), as NVIDIA's plugin builds it (reference deviceplugin-cdi-mig.md §1.7, §2.5): with a CDI strategy the
 * devices are first made sure to be in the spec files ({@link CdiSpecRegistry#ensure}) and only then named
 * ({@code cdi_devices} and/or a {@code cdi.k8s.io/volcano-vgpu_<id>} annotation); {@code envvar} sets
 * {@code NVIDIA_VISIBLE_DEVICES=<uuids>}, {@code volume-mounts} the {@code /dev/null} mounts under
 * {@code /var/run/nvidia-container-devices}.
 */
public final class DeviceListAnswer {
  public static final String VISIBLE_DEVICES = NvidiaCdiGenerator.VISIBLE_DEVICES;
  public static final String MOUNT_ROOT = "/var/run/nvidia-container-devices";

  private final DeviceListSettings list;
  private final @Nullable CdiSpecRegistry registry;

  public DeviceListAnswer(DeviceListSettings list, @Nullable CdiSpecRegistry registry) {
    this.list = Objects.requireNonNull(list, "list");
    if (list.anyCdi() && registry == null) {
      throw new IllegalArgumentException("device list strategies " + list.strategies() + " need a CDI spec registry");
    }
    this.registry = registry;
  }

  /**
   * Adds the device list of {@code uuids} to {@code out}: CDI names (specs made sure first), then
   * {@link #applyClassic}.
   *
   * @param annotationId the device-id part of the CDI annotation key (a pod UID or a per-response id)
   * @throws io.github.volcanovgpu.cdi.CdiException when the CDI spec cannot name a device (nothing is named then)
   */
  public void apply(ContainerAllocateResponse.Builder out, List<String> uuids, String annotationId) {
    if (list.anyCdi()) {
      applyCdi(out, Objects.requireNonNull(registry).ensure(uuids, null), annotationId);
    }
    applyClassic(out, uuids);
  }

  /** The CDI names (already in spec files) as {@code cdi_devices} and/or the CDI annotation, per the strategies. */
  public void applyCdi(ContainerAllocateResponse.Builder out, List<QualifiedName> names, String annotationId) {
    if (list.has(DeviceListStrategy.CDI_CRI)) {
      for (QualifiedName n : names) {
        out.addCdiDevices(CDIDevice.newBuilder().setName(n.toString()));
      }
    }
    if (list.has(DeviceListStrategy.CDI_ANNOTATIONS)) {
      out.putAnnotations(list.annotations().key(DeviceListSettings.PLUGIN_NAME, annotationId),
          CdiAnnotations.value(names));
    }
  }

  /**
   * The runtime's classic device list: {@code envvar} sets {@code NVIDIA_VISIBLE_DEVICES=<uuids>},
   * {@code volume-mounts} points it at {@link #MOUNT_ROOT} and mounts {@code /dev/null} there once per device.
   */
  public void applyClassic(ContainerAllocateResponse.Builder out, List<String> uuids) {
    if (list.has(DeviceListStrategy.ENVVAR)) {
      out.putEnvs(VISIBLE_DEVICES, String.join(",", uuids));
    }
    if (list.has(DeviceListStrategy.VOLUME_MOUNTS)) {
      out.putEnvs(VISIBLE_DEVICES, MOUNT_ROOT); // as NVIDIA's plugin: the runtime reads the mounts
      for (String uuid : new java.util.LinkedHashSet<>(uuids)) {
        out.addMounts(Mount.newBuilder().setContainerPath(MOUNT_ROOT + "/" + uuid).setHostPath("/dev/null")
            .setReadOnly(false));
      }
    }
  }
}
