package io.github.volcanovgpu.bridge.device;

/**
 * Why a pod does not fit a node, at node level: the first thing the core checks that said no. When the cause is
 * {@link #DEVICES_REFUSED} the per-device reasons are each kind's {@link FitFailure} codes (one per device that
 * refused, {@link DeviceRefusal}). The predicate's message to Volcano and {@code explain} come from the same value.
 */
public enum RefusalCause {
  /** Not enough of the node's devices could take a container; the devices say why each refused. */
  DEVICES_REFUSED(true, "not enough devices can take the container"),
  /** A container asks more devices than the node has of the kind. */
  TOO_FEW_DEVICES(false, "the node has fewer devices than a container asks"),
  /** The pod requires a sharing mode (vgpu-mode, vnpu-mode) the node does not use. */
  MODE_MISMATCH(false, "the pod requires a sharing mode the node does not use"),
  /** The node has no usable registration of the kind (annotation missing or malformed, no allocatable). */
  NOT_REGISTERED(false, "the node registers no device of the kind"),
  /** The pod names a node group the node is not in. */
  NODE_GROUP(false, "the node is not in the pod's node group"),
  /** The request can never be met on this node as written (e.g. more memory than a whole device). */
  REQUEST_UNMEETABLE(false, "the request cannot be met on this node as written"),
  /** The pod's namespace quota would be exceeded (the same on every node). */
  QUOTA(true, "the namespace's device quota would be exceeded"),
  /** The pod's device request cannot be read. */
  INVALID_REQUEST(false, "the pod's device request cannot be read"),
  /** The sidecar does not know the node. */
  UNKNOWN_NODE(false, "the node is unknown to the sidecar");

  private final boolean resolvable;
  private final String description;

  RefusalCause(boolean resolvable, String description) {
    this.resolvable = resolvable;
    this.description = description;
  }

  /** True when evicting pods could make it fit (Volcano code 2 vs 3); per-device causes may refine it. */
  public boolean isResolvable() {
    return resolvable;
  }

  /** What the cause means, for users. */
  public String description() {
    return description;
  }
}
