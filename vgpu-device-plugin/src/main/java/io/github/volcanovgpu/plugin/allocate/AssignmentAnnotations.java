package io.github.volcanovgpu.plugin.allocate;

import io.github.volcanovgpu.contract.annotation.HamiAnnotations;
import io.github.volcanovgpu.contract.annotation.PodDevicesCodec;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.device.PodDevices;
import java.util.Objects;
import java.util.Optional;

/**
 * The pod (and node) annotations through which one device kind's scheduler half hands devices to this plugin:
 * Volcano's vGPU keys ({@code volcano.sh/...}, {@link #volcanoVgpu()}) or HAMi's per-kind keys
 * ({@code hami.io/<CommonWord>-...}, {@link #hami(String)}). The phase values ({@code allocating}, {@code success},
 * {@code failed}) are the same for both.
 *
 * @param assignedNode the node the devices were assigned on ({@code volcano.sh/vgpu-node}, {@code hami.io/vgpu-node})
 * @param assignedTime unix seconds of the assignment; the oldest pod is served first
 * @param bindPhase {@code allocating} until this plugin writes {@code success} or {@code failed}
 * @param devicesToAllocate the entries still to hand out, one per device-requesting regular container
 * @param framing how the container entries of {@code devicesToAllocate} are framed on the wire
 * @param doneTime the value written to {@code assignedTime} when a pod is done (Volcano's plugin writes max uint64 so
 *     a done pod sorts last forever); empty: left as it is (HAMi)
 * @param nodeLock the node annotation the scheduler locks the node with while it binds, released after Allocate
 * @param sharedPhasePrefix a pod may carry entries of several kinds that share {@code bindPhase} (HAMi:
 *     {@code hami.io/}); {@code success} is written only when none of the keys {@code <prefix>*-devices-to-allocate}
 *     has entries left. Empty: the kind has the phase to itself.
 */
public record AssignmentAnnotations(
    String assignedNode,
    String assignedTime,
    String bindPhase,
    String devicesToAllocate,
    Framing framing,
    Optional<String> doneTime,
    String nodeLock,
    Optional<String> sharedPhasePrefix) {
  public static final String ALLOCATING = HamiAnnotations.BIND_PHASE_ALLOCATING;
  public static final String SUCCESS = HamiAnnotations.BIND_PHASE_SUCCESS;
  public static final String FAILED = HamiAnnotations.BIND_PHASE_FAILED;

  /** {@code volcano.sh/vgpu-time} of a pod the existing Volcano plugin is done with (max uint64). */
  public static final String VOLCANO_DONE_TIME = "18446744073709551615";

  private static final String TO_ALLOCATE_SUFFIX = "-devices-to-allocate";

  /** The two framings of {@link PodDevicesCodec}. */
  public enum Framing {
    /** Containers joined by {@code ';'} (Volcano's vGPU). */
    VOLCANO,
    /** Every container terminated by {@code ';'} (HAMi). */
    HAMI;

    public PodDevices decode(String value) {
      return this == VOLCANO ? PodDevicesCodec.decodeLenient(value) : PodDevicesCodec.decodeHamiLenient(value);
    }

    /**
     * Strict decoding, for telling a user what is wrong with a value the lenient decoding could not use.
     *
     * @throws io.github.volcanovgpu.contract.annotation.AnnotationFormatException naming the bad entry
     */
    public PodDevices decodeStrict(String value) {
      String v = this == HAMI && value.endsWith(";") ? value.substring(0, value.length() - 1) : value;
      return PodDevicesCodec.decodeStrict(v);
    }

    public String encode(PodDevices devices) {
      return this == VOLCANO ? PodDevicesCodec.encode(devices) : PodDevicesCodec.encodeHami(devices);
    }
  }

  public AssignmentAnnotations {
    Objects.requireNonNull(assignedNode, "assignedNode");
    Objects.requireNonNull(assignedTime, "assignedTime");
    Objects.requireNonNull(bindPhase, "bindPhase");
    Objects.requireNonNull(devicesToAllocate, "devicesToAllocate");
    Objects.requireNonNull(framing, "framing");
    Objects.requireNonNull(doneTime, "doneTime");
    Objects.requireNonNull(nodeLock, "nodeLock");
    Objects.requireNonNull(sharedPhasePrefix, "sharedPhasePrefix");
  }

  /** Volcano's vGPU keys ({@code volcano.sh/devices-to-allocate} ...) and node lock {@code hamivgpu}. */
  public static AssignmentAnnotations volcanoVgpu() {
    return new AssignmentAnnotations(VgpuAnnotations.VGPU_NODE, VgpuAnnotations.VGPU_TIME, VgpuAnnotations.BIND_PHASE,
        VgpuAnnotations.DEVICES_TO_ALLOCATE, Framing.VOLCANO, Optional.of(VOLCANO_DONE_TIME),
        VgpuAnnotations.NODE_LOCK, Optional.empty());
  }

  /**
   * HAMi's keys of the kind {@code commonWord} ({@code hami.io/<commonWord>-devices-to-allocate}, the shared
   * {@code hami.io/vgpu-node}, {@code hami.io/vgpu-time}, {@code hami.io/bind-phase}) and node lock
   * {@code hami.io/mutex.lock}.
   */
  public static AssignmentAnnotations hami(String commonWord) {
    return new AssignmentAnnotations(HamiAnnotations.ASSIGNED_NODE, HamiAnnotations.ASSIGNED_TIME,
        HamiAnnotations.BIND_PHASE, HamiAnnotations.devicesToAllocate(commonWord), Framing.HAMI, Optional.empty(),
        HamiAnnotations.NODE_LOCK, Optional.of("hami.io/"));
  }

  /** Whether {@code key} is another kind's {@code devices-to-allocate} sharing this kind's bind phase. */
  boolean sharesPhaseWith(String key) {
    return sharedPhasePrefix.isPresent() && !key.equals(devicesToAllocate)
        && key.startsWith(sharedPhasePrefix.get()) && key.endsWith(TO_ALLOCATE_SUFFIX);
  }
}
