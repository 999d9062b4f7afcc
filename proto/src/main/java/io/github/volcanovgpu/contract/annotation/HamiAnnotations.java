package io.github.volcanovgpu.contract.annotation;

import java.util.List;

/**
 * The annotation keys HAMi's device kinds other than NVIDIA's share (Ascend, Vastai), exactly as HAMi v2.9 and
 * Volcano v1.16's in-tree Ascend code spell them ({@code third_party/hami/util}, {@code devices.InRequestDevices},
 * {@code SupportDevices}). Per-kind keys are built from the kind's CommonWord, e.g. {@code Ascend910C}.
 */
public final class HamiAnnotations {
  /** Pod: node the devices were assigned on. */
  public static final String ASSIGNED_NODE = "hami.io/vgpu-node";
  /** Pod: unix seconds of the assignment. */
  public static final String ASSIGNED_TIME = "hami.io/vgpu-time";
  /** Pod: allocating | success | failed. */
  public static final String BIND_PHASE = "hami.io/bind-phase";
  /** Pod: unix seconds of the bind. */
  public static final String BIND_TIME = "hami.io/bind-time";
  /** Pod: unix seconds of the predicate that chose the devices (Ascend). */
  public static final String PREDICATE_TIME = "predicate-time";
  /** Node: HAMi's node lock (every HAMi vendor; Volcano's Ascend {@code NodeLockAscend}). */
  public static final String NODE_LOCK = "hami.io/mutex.lock";

  public static final String BIND_PHASE_ALLOCATING = "allocating";
  public static final String BIND_PHASE_SUCCESS = "success";
  public static final String BIND_PHASE_FAILED = "failed";

  /** Handshake value prefix written by a device plugin with each registration ({@code Reported_<time>}). */
  public static final String HANDSHAKE_REPORTED = "Reported";
  /** Handshake value prefix written by the scheduler when it dropped a node's devices. */
  public static final String HANDSHAKE_DELETED = "Deleted";
  /** Handshake value prefix written by the scheduler asking the plugin to report. */
  public static final String HANDSHAKE_REQUESTING = "Requesting";

  /** The keys every HAMi kind writes at allocation besides its own. */
  public static final List<String> COMMON_ALLOCATION_KEYS =
      List.of(ASSIGNED_NODE, ASSIGNED_TIME, BIND_PHASE, BIND_TIME);

  private HamiAnnotations() {}

  /** Pod: the devices the device plugin still has to hand out ({@code hami.io/<CommonWord>-devices-to-allocate}). */
  public static String devicesToAllocate(String commonWord) {
    return "hami.io/" + commonWord + "-devices-to-allocate";
  }

  /** Pod: the permanent record of the assignment, the ledger's source ({@code -devices-allocated}). */
  public static String devicesAllocated(String commonWord) {
    return "hami.io/" + commonWord + "-devices-allocated";
  }

  /** Node: the JSON registration of an Ascend chip ({@code hami.io/node-register-<CommonWord>}). */
  public static String nodeRegister(String commonWord) {
    return "hami.io/node-register-" + commonWord;
  }

  /** Node: the handshake of an Ascend chip ({@code hami.io/node-handshake-<CommonWord>}). */
  public static String nodeHandshake(String commonWord) {
    return "hami.io/node-handshake-" + commonWord;
  }

  /** Pod: comma list of device ids the pod may use ({@code hami.io/use-<CommonWord>-uuid}). */
  public static String useUuid(String commonWord) {
    return "hami.io/use-" + commonWord + "-uuid";
  }

  /** Pod: comma list of device ids the pod must not use ({@code hami.io/no-use-<CommonWord>-uuid}). */
  public static String noUseUuid(String commonWord) {
    return "hami.io/no-use-" + commonWord + "-uuid";
  }

  /**
   * {@code Reported_<yyyy.MM.dd HH:mm:ss>}, the handshake HAMi's ascend-device-plugin writes with each registration
   * (Go layout {@code 2006.01.02 15:04:05}; it writes local time, this product UTC).
   */
  public static String reported(java.time.Instant now) {
    return HANDSHAKE_REPORTED + "_" + java.time.format.DateTimeFormatter.ofPattern("yyyy.MM.dd HH:mm:ss")
        .withZone(java.time.ZoneOffset.UTC).format(now);
  }
}
