package io.github.volcanovgpu.bridge.device;

import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.contract.device.PodDevices;
import io.github.volcanovgpu.contract.device.RegisteredDevice;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The scheduler half of one device kind: NVIDIA vGPU (with MIG), one Ascend chip, Vastai. Stateless and
 * thread-safe; every method is a pure function. Vendors compute, the core commits: a kind never touches the
 * ledger, the API server or locks. The core ({@code scheduling.PlacementEngine}) asks every configured kind for
 * the pod's demand, fits each kind that has one on the node, and writes the union of their annotations.
 *
 * @param <D> the kind's registration record, what its {@link #inventory} decodes per device
 */
public interface DeviceVendor<D extends RegisteredDevice> {
  /** The kind's name, e.g. {@code hamivgpu} or {@code Ascend910C}: the ledger key and the metrics label. */
  String deviceName();

  /** The device noun for messages and reports, singular: {@code GPU}, {@code NPU}, {@code device}. */
  default String unit() {
    return "device";
  }

  /**
   * The metrics family: gauges are named {@code volcano_<family>_device_*} ({@code vgpu} for NVIDIA, as Volcano
   * names them). Kinds sharing a family (the Ascend chips) are told apart by a {@code deviceType} label.
   */
  default String metricFamily() {
    return deviceName().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
  }

  /**
   * Every resource name the kind reads from a container (count, memory, cores, aliases). A container asking none
   * of them has no demand of this kind; a container asking those of two kinds is refused by the core.
   */
  Set<String> resourceNames();

  /**
   * How a container writes this kind's request (count, memory, compute names and their defaults), for admission and
   * quotas. Its names are among {@link #resourceNames()}.
   */
  RequestShape requestShape();

  /**
   * Values the mutating webhook writes over a container's requests (resource name to quantity), for kinds whose
   * device plugin hands out a rounded share (Ascend templates: the memory rounded up to the template, as HAMi's
   * webhook writes it); empty when the request stands as asked.
   *
   * @param container the container as mutated so far (counts filled)
   * @throws InvalidDemandException when the request can never be met as written; the message names the resource
   */
  default Map<String, String> admissionRewrites(PodView pod, ContainerView container) {
    return Map.of();
  }

  /**
   * The memory per device a container's share may hold, for quotas: what it asks ({@code memoryOn} the largest
   * device), unless the kind may round the request up on some node (then the rounded size: a quota counts the most
   * a pod can take).
   */
  default long heldMemoryUnits(PodView pod, ContainerDemand container, long largestDeviceMemory) {
    return container.memoryOn(largestDeviceMemory);
  }

  /**
   * The pod's demand for this kind, empty when it requests none.
   *
   * @throws InvalidDemandException when the request cannot be read; the message names container and resource
   */
  Optional<PodDemand> demand(PodView pod);

  /** Decodes and validates the node's registration; never throws. */
  Inventory<D> inventory(NodeView node);

  /** Devices assigned to a pod as its annotations say (lenient: malformed entries skipped). */
  PodDevices assigned(PodView pod);

  /** Key of the pod's group for per-group rules (e.g. {@code ns/group}), empty when none applies. */
  default String groupKey(PodView pod) {
    return PodGroups.key(pod);
  }

  /**
   * Chooses devices on one node or says why not. {@code usage} must not contain the pod itself.
   *
   * @param usage the node's current usage of this kind, including in-flight reservations
   */
  FitResult fit(NodeUsage<D> usage, PodView pod, PodDemand demand, SchedulingPolicy policy);

  /** The pod annotations that hand the allocation's devices to the node's device plugin. */
  Map<String, String> allocationAnnotations(Allocation<D> allocation);

  /** The keys the core reads to tell an assignment's state, and removes on rollback. */
  AssignmentKeys assignmentKeys();

  /** The node-lock annotation this kind's device plugin releases ({@code hamivgpu}, {@code hami.io/mutex.lock}). */
  String nodeLockName();
}
