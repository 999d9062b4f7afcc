package io.github.volcanovgpu.bridge.ledger;

import io.github.volcanovgpu.bridge.device.DeviceUsage;
import io.github.volcanovgpu.bridge.device.DeviceVendor;
import io.github.volcanovgpu.bridge.device.NodeUsage;
import io.github.volcanovgpu.bridge.device.PodShare;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.contract.device.DeviceSlice;
import io.github.volcanovgpu.contract.device.PodDevices;
import io.github.volcanovgpu.contract.device.RegisteredDevice;
import io.github.volcanovgpu.contract.device.SharingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-device usage of one device kind on every node: what the pods' assignment annotations say (from the informer cache or from the
 * Tasks Volcano sends with each NodeInfo) plus this sidecar's own in-flight reservations, minus pods being
 * released. Thread-safe; hands out immutable {@link NodeUsage} snapshots.
 *
 * <p>A reservation is authoritative for its pod until the node view shows the pod carrying exactly the reserved
 * devices (then the view counts it and the reservation is dropped), or until it expires. Annotations are written
 * before Volcano gets the answer to allocate, so a restart of the sidecar loses nothing the API server does not
 * still hold.
 */
public final class Ledger<D extends RegisteredDevice> {
  /** An assignment committed by this sidecar that the node views may not show yet. */
  public record Reservation(
      String node, String podUid, String podKey, String groupKey, PodDevices devices, Instant at,
      boolean annotated) {
    public Reservation {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(podUid, "podUid");
      Objects.requireNonNull(devices, "devices");
    }
  }

  private record Release(String node, Instant at) {}

  /** Usage derived from one node view, cached while the same view object is current. */
  private record Base<D extends RegisteredDevice>(NodeView view, SharingMode mode, List<D> devices,
      List<Assigned> assigned, Set<String> uids, NodeUsage<D> usage) {}

  /** One pod's devices as a node view shows them. */
  private record Assigned(String podUid, String podKey, String groupKey, PodDevices devices) {}

  private final DeviceVendor<D> vendor;
  private final Clock clock;
  private final Duration ttl;
  private final ConcurrentHashMap<String, Reservation> reservations = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Release> released = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Base<D>> bases = new ConcurrentHashMap<>();

  public Ledger(DeviceVendor<D> vendor, Clock clock, Duration reservationTtl) {
    this.vendor = Objects.requireNonNull(vendor, "vendor");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ttl = Objects.requireNonNull(reservationTtl, "reservationTtl");
  }

  /**
   * Usage of {@code view}'s devices, without pod {@code excludeUid} (the pod being placed; may be empty).
   *
   * @param devices the node's registered devices of this kind (decoded from {@code view})
   */
  public NodeUsage<D> usage(NodeView view, SharingMode mode, List<D> devices, String excludeUid) {
    Base<D> base = base(view, mode, devices);
    String node = view.name();
    boolean touched = !excludeUid.isEmpty() && base.uids().contains(excludeUid);
    List<Reservation> mine = null;
    if (!reservations.isEmpty()) {
      for (Reservation r : reservations.values()) {
        if (base.uids().contains(r.podUid())) {
          touched = true;
        }
        if (r.node().equals(node) && !r.podUid().equals(excludeUid)) {
          if (mine == null) {
            mine = new ArrayList<>(4);
          }
          mine.add(r);
        }
      }
    }
    if (!released.isEmpty()) {
      for (Map.Entry<String, Release> e : released.entrySet()) {
        if (e.getValue().node().equals(node) && base.uids().contains(e.getKey())) {
          touched = true;
        }
      }
    }
    if (!touched && mine == null) {
      return base.usage();
    }
    List<DeviceUsage<D>> out = idle(devices);
    for (Assigned a : base.assigned()) {
      if (a.podUid().equals(excludeUid) || reservations.containsKey(a.podUid())) {
        continue;
      }
      Release rel = released.get(a.podUid());
      if (rel != null && rel.node().equals(node)) {
        continue;
      }
      add(out, a.podUid(), a.podKey(), a.groupKey(), a.devices(), false);
    }
    if (mine != null) {
      for (Reservation r : mine) {
        add(out, r.podUid(), r.podKey(), r.groupKey(), r.devices(), true);
      }
    }
    return new NodeUsage<>(node, mode, out);
  }

  private static <D extends RegisteredDevice> List<DeviceUsage<D>> idle(List<D> devices) {
    List<DeviceUsage<D>> out = new ArrayList<>(devices.size());
    for (D d : devices) {
      out.add(DeviceUsage.idle(d));
    }
    return out;
  }

  private Base<D> base(NodeView view, SharingMode mode, List<D> devices) {
    Base<D> cached = bases.get(view.name());
    if (cached != null && cached.view() == view) {
      return cached;
    }
    List<Assigned> assigned = new ArrayList<>();
    Set<String> uids = new HashSet<>();
    List<DeviceUsage<D>> out = idle(devices);
    for (PodView pod : view.pods()) {
      if (pod.isTerminated()) {
        continue;
      }
      PodDevices podDevices = vendor.assigned(pod);
      if (podDevices.isEmpty()) {
        continue;
      }
      Assigned a = new Assigned(pod.uid(), pod.key(), vendor.groupKey(pod), podDevices);
      assigned.add(a);
      uids.add(pod.uid());
      add(out, a.podUid(), a.podKey(), a.groupKey(), podDevices, false);
    }
    Base<D> fresh = new Base<>(view, mode, List.copyOf(devices), List.copyOf(assigned), Set.copyOf(uids),
        new NodeUsage<>(view.name(), mode, out));
    bases.put(view.name(), fresh);
    confirmAndExpire(fresh);
    return fresh;
  }

  /** Drops reservations the view now shows, releases the view no longer needs, and anything past its TTL. */
  private void confirmAndExpire(Base<D> base) {
    Instant now = clock.instant();
    for (Assigned a : base.assigned()) {
      Reservation r = reservations.get(a.podUid());
      if (r != null && r.node().equals(base.view().name()) && r.devices().equals(a.devices())) {
        reservations.remove(a.podUid(), r);
      }
    }
    reservations.values().removeIf(r -> r.at().plus(ttl).isBefore(now));
    released.entrySet().removeIf(e -> e.getValue().at().plus(ttl).isBefore(now)
        || (e.getValue().node().equals(base.view().name()) && !base.uids().contains(e.getKey())));
  }

  private static <D extends RegisteredDevice> void add(List<DeviceUsage<D>> out, String uid, String podKey,
      String groupKey, PodDevices devices, boolean reserved) {
    for (List<DeviceSlice> container : devices.containers()) {
      for (DeviceSlice s : container) {
        int i = indexOf(out, s.uuid());
        if (i >= 0) {
          out.set(i, out.get(i).plus(
              new PodShare(uid, podKey, groupKey, s.memoryUnits(), s.coresPercent(), reserved, s.uuid())));
        }
      }
    }
  }

  /** Volcano's matching rule: the annotation UUID contains the device UUID (so MIG-suffixed IDs match). */
  private static int indexOf(List<? extends DeviceUsage<?>> devices, String sliceUuid) {
    for (int i = 0; i < devices.size(); i++) {
      if (sliceUuid.equals(devices.get(i).device().uuid())) {
        return i;
      }
    }
    for (int i = 0; i < devices.size(); i++) {
      String u = devices.get(i).device().uuid();
      if (!u.isEmpty() && sliceUuid.contains(u)) {
        return i;
      }
    }
    return -1;
  }

  /** Records an assignment this sidecar just committed; replaces any earlier reservation of the pod. */
  public void reserve(Reservation reservation) {
    released.remove(reservation.podUid());
    reservations.put(reservation.podUid(), reservation);
  }

  /** Marks a reservation's annotations as written. */
  public void markAnnotated(String podUid) {
    reservations.computeIfPresent(podUid, (k, r) -> new Reservation(r.node(), r.podUid(), r.podKey(),
        r.groupKey(), r.devices(), r.at(), true));
  }

  /** Removes the pod's reservation, returning it. */
  public Optional<Reservation> cancel(String podUid) {
    return Optional.ofNullable(reservations.remove(podUid));
  }

  public Optional<Reservation> reservation(String podUid) {
    return Optional.ofNullable(reservations.get(podUid));
  }

  /** The pod's devices on {@code node} no longer count (evicted or rolled back) until the views drop it. */
  public void markReleased(String podUid, String node) {
    reservations.remove(podUid);
    released.put(podUid, new Release(node, clock.instant()));
  }

  /** Undoes {@link #markReleased} (Volcano restored an evicted task). */
  public void unmarkReleased(String podUid) {
    released.remove(podUid);
  }

  /** Number of in-flight reservations (for metrics and tests). */
  public int reservationCount() {
    return reservations.size();
  }

  /** Nodes with a cached view or a reservation. */
  public Set<String> knownNodes() {
    Set<String> nodes = new HashSet<>(bases.keySet());
    reservations.values().forEach(r -> nodes.add(r.node()));
    return nodes;
  }
}
