package io.github.volcanovgpu.cdi;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Edits to a container's OCI spec ({@code ContainerEdits}). JSON key of the GIDs is {@code additionalGids} (the Go
 * tag; SPEC.md prose writes additionalGIDs).
 *
 * @param env {@code NAME=VALUE} entries
 * @param deviceNodes device nodes to create
 * @param netDevices network devices to move into the container (1.1.0)
 * @param hooks OCI hooks
 * @param mounts mounts
 * @param intelRdt Intel RDT class (0.7.0), or null
 * @param additionalGids extra group IDs (0.7.0); uint32 each
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"env", "deviceNodes", "netDevices", "hooks", "mounts", "intelRdt", "additionalGids"})
public record ContainerEdits(
    List<String> env,
    List<DeviceNode> deviceNodes,
    List<NetDevice> netDevices,
    List<Hook> hooks,
    List<CdiMount> mounts,
    @Nullable IntelRdt intelRdt,
    @JsonProperty("additionalGids") List<Long> additionalGids) {
  public static final ContainerEdits EMPTY = new ContainerEdits(null, null, null, null, null, null, null);

  public ContainerEdits(@Nullable List<String> env, @Nullable List<DeviceNode> deviceNodes,
      @Nullable List<NetDevice> netDevices, @Nullable List<Hook> hooks, @Nullable List<CdiMount> mounts,
      @Nullable IntelRdt intelRdt, @Nullable List<Long> additionalGids) {
    this.env = Copies.list(env);
    this.deviceNodes = Copies.list(deviceNodes);
    this.netDevices = Copies.list(netDevices);
    this.hooks = Copies.list(hooks);
    this.mounts = Copies.list(mounts);
    this.intelRdt = intelRdt;
    this.additionalGids = Copies.list(additionalGids);
  }

  /** Edits with only env, device nodes and mounts (what the generators use). */
  public static ContainerEdits of(List<String> env, List<DeviceNode> deviceNodes, List<CdiMount> mounts) {
    return new ContainerEdits(env, deviceNodes, null, null, mounts, null, null);
  }

  /** No edit at all (upstream rejects such a device: "invalid device, empty device edits"). */
  @JsonIgnore
  public boolean isEmpty() {
    return env.isEmpty() && deviceNodes.isEmpty() && netDevices.isEmpty() && hooks.isEmpty() && mounts.isEmpty()
        && intelRdt == null && additionalGids.isEmpty();
  }

  /** These edits followed by {@code other}'s (lists concatenated; other's intelRdt wins when set). */
  public ContainerEdits plus(ContainerEdits other) {
    return new ContainerEdits(concat(env, other.env), concat(deviceNodes, other.deviceNodes),
        concat(netDevices, other.netDevices), concat(hooks, other.hooks), concat(mounts, other.mounts),
        other.intelRdt != null ? other.intelRdt : intelRdt, concat(additionalGids, other.additionalGids));
  }

  /** Jackson value filter: true (leave out) for empty edits, as Go's omitempty on the pointer. */
  static final class EmptyFilter {
    @Override
    public boolean equals(@Nullable Object value) {
      return value instanceof ContainerEdits e && e.isEmpty();
    }

    @Override
    public int hashCode() {
      return 0;
    }
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
