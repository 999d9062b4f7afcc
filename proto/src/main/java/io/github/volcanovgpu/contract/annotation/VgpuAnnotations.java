package io.github.volcanovgpu.contract.annotation;

import java.util.List;

/**
 * The Kubernetes annotation keys of Volcano's vGPU device ({@code hamivgpu}), exactly as Volcano and
 * Project-HAMi/volcano-vgpu-device-plugin spell them (reference volcano-vgpu.md §1.4, §1.5, §1.9, §1.10).
 */
public final class VgpuAnnotations {
  /** Device name of the NVIDIA vGPU kind in Volcano; also the node-lock annotation key on the Node. */
  public static final String DEVICE_NAME = "hamivgpu";

  /** Node: device inventory written by the device plugin, six fields per GPU, each record ends with ':'. */
  public static final String NODE_REGISTER = "volcano.sh/node-vgpu-register";
  /** Node: legacy handshake (Volcano <= 1.15, device plugin <= 1.12). */
  public static final String NODE_HANDSHAKE = "volcano.sh/node-vgpu-handshake";
  /** Node: lock taken by the scheduler at allocation, value RFC 3339, released by the device plugin. */
  public static final String NODE_LOCK = DEVICE_NAME;

  /** Pod: node the devices were assigned on. */
  public static final String VGPU_NODE = "volcano.sh/vgpu-node";
  /** Pod: unix seconds of the assignment; the device plugin picks the oldest first. */
  public static final String VGPU_TIME = "volcano.sh/vgpu-time";
  /** Pod: the assigned devices, the ledger's source (see {@link PodDevicesCodec}). */
  public static final String VGPU_IDS_NEW = "volcano.sh/vgpu-ids-new";
  /** Pod: copy of the assigned devices, consumed container by container by the device plugin. */
  public static final String DEVICES_TO_ALLOCATE = "volcano.sh/devices-to-allocate";
  /** Pod: allocating | success | failed. */
  public static final String BIND_PHASE = "volcano.sh/bind-phase";
  /** Pod: unix seconds of the bind. */
  public static final String BIND_TIME = "volcano.sh/bind-time";

  /** Pod: required sharing mode ({@code hami-core} or {@code mig}). */
  public static final String VGPU_MODE = "volcano.sh/vgpu-mode";
  /** Pod: comma-separated GPU UUID allow-list. */
  public static final String USE_GPU_UUID = "volcano.sh/vgpu-use-gpuuuid";
  /** Pod: comma-separated GPU UUID deny-list. */
  public static final String NOUSE_GPU_UUID = "volcano.sh/vgpu-nouse-gpuuuid";
  /** Pod: comma-separated GPU type substrings to use (case-insensitive). */
  public static final String USE_GPU_TYPE = "nvidia.com/use-gputype";
  /** Pod: comma-separated GPU type substrings to avoid (case-insensitive). */
  public static final String NOUSE_GPU_TYPE = "nvidia.com/nouse-gputype";
  /** Pod: {@code spread} keeps pods of one pod group on different GPUs. */
  public static final String PODGROUP_POLICY = "volcano.sh/vgpu-podgroup-policy";
  /** Pod: pod-group name (Kubernetes scheduling). */
  public static final String K8S_GROUP_NAME = "scheduling.k8s.io/group-name";
  /** Pod: pod-group name (Volcano). */
  public static final String VOLCANO_GROUP_NAME = "scheduling.volcano.sh/group-name";

  public static final String BIND_PHASE_ALLOCATING = "allocating";
  public static final String BIND_PHASE_SUCCESS = "success";
  public static final String BIND_PHASE_FAILED = "failed";

  /** The keys the scheduler writes at allocation and removes again when an allocation is rolled back. */
  public static final List<String> ALLOCATION_KEYS =
      List.of(VGPU_NODE, VGPU_TIME, VGPU_IDS_NEW, DEVICES_TO_ALLOCATE, BIND_PHASE, BIND_TIME);

  private VgpuAnnotations() {}
}
