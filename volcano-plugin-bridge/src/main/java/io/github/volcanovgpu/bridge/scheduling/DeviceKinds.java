package io.github.volcanovgpu.bridge.scheduling;

import io.github.volcanovgpu.bridge.device.DeviceVendor;
import io.github.volcanovgpu.bridge.device.InvalidDemandException;
import io.github.volcanovgpu.bridge.device.PodDemand;
import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.PodView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The device kinds the engine serves, in order, with an index from resource name to kind so that a pod's demand
 * asks only the kinds whose resources it names. Immutable.
 */
public final class DeviceKinds {
  private final List<DeviceVendor<?>> kinds;
  /** Resource name → bit mask of the kinds reading it (at most 64 kinds). */
  private final Map<String, Long> byResource;

  private DeviceKinds(List<DeviceVendor<?>> kinds) {
    if (kinds.isEmpty()) {
      throw new IllegalArgumentException("at least one device kind is needed");
    }
    if (kinds.size() > 64) {
      throw new IllegalArgumentException("at most 64 device kinds, got " + kinds.size());
    }
    this.kinds = List.copyOf(kinds);
    Set<String> names = new HashSet<>();
    Map<String, Long> index = new HashMap<>();
    for (int i = 0; i < this.kinds.size(); i++) {
      DeviceVendor<?> k = this.kinds.get(i);
      if (!names.add(k.deviceName())) {
        throw new IllegalArgumentException("device kind " + k.deviceName() + " is configured twice");
      }
      long bit = 1L << i;
      for (String r : k.resourceNames()) {
        index.merge(r, bit, (a, b) -> a | b);
      }
    }
    this.byResource = Map.copyOf(index);
  }

  public static DeviceKinds of(List<? extends DeviceVendor<?>> kinds) {
    return new DeviceKinds(List.copyOf(kinds));
  }

  public static DeviceKinds of(DeviceVendor<?> kind) {
    return new DeviceKinds(List.of(kind));
  }

  public List<DeviceVendor<?>> all() {
    return kinds;
  }

  /** Every resource name some kind reads (what Volcano's {@code extender.managedResources} should list). */
  public Set<String> resourceNames() {
    return byResource.keySet();
  }

  /** A kind's demand within a pod: its position in {@link #all()} and what it asks. */
  public record KindDemand(int kind, PodDemand demand) {
    public KindDemand {
      Objects.requireNonNull(demand, "demand");
    }
  }

  /**
   * The pod's demand per kind, in kind order; empty when it asks for no device.
   *
   * @throws InvalidDemandException when a request cannot be read, or one container asks for two kinds
   */
  public List<KindDemand> demands(PodView pod) {
    long mask = kinds.size() == 1 ? 1L : candidates(pod);
    if (mask == 0) {
      return List.of();
    }
    List<KindDemand> out = null;
    for (int i = 0; i < kinds.size(); i++) {
      if ((mask & (1L << i)) == 0) {
        continue;
      }
      var d = kinds.get(i).demand(pod);
      if (d.isPresent()) {
        if (out == null) {
          out = new ArrayList<>(2);
        }
        out.add(new KindDemand(i, d.get()));
      }
    }
    if (out == null) {
      return List.of();
    }
    if (out.size() > 1) {
      rejectMixedContainers(pod, out);
    }
    return out;
  }

  private long candidates(PodView pod) {
    long mask = 0;
    for (ContainerView c : pod.containers()) {
      for (String r : c.limits().keySet()) {
        Long m = byResource.get(r);
        if (m != null) {
          mask |= m;
        }
      }
      for (String r : c.requests().keySet()) {
        Long m = byResource.get(r);
        if (m != null) {
          mask |= m;
        }
      }
    }
    return mask;
  }

  private void rejectMixedContainers(PodView pod, List<KindDemand> demands) {
    Map<String, String> owner = new HashMap<>();
    for (KindDemand d : demands) {
      String kind = kinds.get(d.kind()).deviceName();
      for (var c : d.demand().containers()) {
        String first = owner.putIfAbsent(c.containerName(), kind);
        if (first != null) {
          throw new InvalidDemandException("pod " + pod.key() + " container " + c.containerName()
              + " asks for devices of two kinds (" + first + " and " + kind
              + "); a container can use one kind of device: move one request to another container");
        }
      }
    }
  }
}
