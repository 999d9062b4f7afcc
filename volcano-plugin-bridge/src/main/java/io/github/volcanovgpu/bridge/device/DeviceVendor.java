package io.github.volcanovgpu.bridge.device;

import io.github.volcanovgpu.bridge.ledger.NodeUsage;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.scheduling.SchedulingPolicy;
import io.github.volcanovgpu.contract.device.PodDevices;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The scheduler half of one device kind (NVIDIA vGPU now; MIG, Ascend vNPU and Vastai later). Stateless and
 * thread-safe; every method is a pure function. Vendors compute, the core commits: a vendor never touches the
 * ledger, the API server or locks.
 */
public interface DeviceVendor {
  /** Device name, e.g. {@code hamivgpu}: the ledger key and the node-lock name. */
  String deviceName();

  /**
   * The pod's demand for this kind, empty when it requests none.
   *
   * @throws InvalidDemandException when the request cannot be read; the message names container and resource
   */
  Optional<PodDemand> demand(PodView pod);

  /** Decodes and validates the node's registration; never throws. */
  Inventory inventory(NodeView node);

  /** Devices assigned to a pod as its annotations say (lenient: malformed entries skipped). */
  PodDevices assigned(PodView pod);

  /** Key of the pod's group for per-group rules (e.g. {@code ns/group}), empty when none applies. */
  String groupKey(PodView pod);

  /**
   * Chooses devices on one node or says why not. {@code usage} must not contain the pod itself.
   *
   * @param usage the node's current usage, including in-flight reservations
   */
  FitResult fit(NodeUsage usage, PodView pod, PodDemand demand, SchedulingPolicy policy);

  /** The pod annotations that hand {@code devices} to the node's device plugin. */
  Map<String, String> allocationAnnotations(String node, PodDevices devices, Instant now);

  /** Keys written by {@link #allocationAnnotations}, removed again when an allocation is rolled back. */
  List<String> allocationKeys();
}
