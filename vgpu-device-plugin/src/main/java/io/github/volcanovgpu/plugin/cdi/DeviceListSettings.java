package io.github.volcanovgpu.plugin.cdi;

import io.github.volcanovgpu.cdi.CdiAnnotations;
import io.github.volcanovgpu.cdi.Kind;
import io.github.volcanovgpu.cdi.store.CdiSpecDirectory;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The device-list configuration of the plugin.
 *
 * @param strategies at least one ({@code --device-list-strategy}, env {@code DEVICE_LIST_STRATEGY})
 * @param kind CDI vendor/class of our specs and device names ({@code --cdi-kind})
 * @param annotations CDI annotation key prefix ({@code --cdi-annotation-prefix}, env {@code CDI_ANNOTATION_PREFIX})
 * @param cdiRoot the spec directory ({@code --cdi-root})
 */
public record DeviceListSettings(Set<DeviceListStrategy> strategies, Kind kind, CdiAnnotations annotations,
    Path cdiRoot) {
  /** The annotation key's plugin part: {@code cdi.k8s.io/volcano-vgpu_<podUID>}. */
  public static final String PLUGIN_NAME = "volcano-vgpu";

  public DeviceListSettings {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(annotations, "annotations");
    Objects.requireNonNull(cdiRoot, "cdiRoot");
    if (strategies.isEmpty()) {
      throw new IllegalArgumentException("at least one device list strategy");
    }
    strategies = Set.copyOf(EnumSet.copyOf(strategies));
  }

  /** {@code envvar} only: the classic mode, no CDI spec written. */
  public static DeviceListSettings envvar() {
    return of(EnumSet.of(DeviceListStrategy.ENVVAR));
  }

  /** {@code strategies} with the default kind, prefix and root. */
  public static DeviceListSettings of(Set<DeviceListStrategy> strategies) {
    return new DeviceListSettings(strategies, Kind.NVIDIA_DEVICE_PLUGIN, CdiAnnotations.standard(),
        CdiSpecDirectory.DEFAULT_ROOT);
  }

  public boolean has(DeviceListStrategy s) {
    return strategies.contains(s);
  }

  /** Some CDI strategy is on: a spec is written and CDI names are returned. */
  public boolean anyCdi() {
    return strategies.stream().anyMatch(DeviceListStrategy::isCdi);
  }

  /** Only CDI strategies: no {@code NVIDIA_VISIBLE_DEVICES}, no volume-mount device list. */
  public boolean allCdi() {
    return strategies.stream().allMatch(DeviceListStrategy::isCdi);
  }
}
