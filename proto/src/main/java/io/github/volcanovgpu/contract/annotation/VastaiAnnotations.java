package io.github.volcanovgpu.contract.annotation;

/** Vastai keys (HAMi v2.9 {@code pkg/device/vastai}), plus the meaning this product gives the seed's selectors. */
public final class VastaiAnnotations {
  /** The kind's CommonWord: pod keys {@code hami.io/Vastai-devices-to-allocate} / {@code -allocated}. */
  public static final String COMMON_WORD = "Vastai";
  /** Node: JSON registration. */
  public static final String NODE_REGISTER = "hami.io/node-va-register";
  /** Node: handshake. */
  public static final String NODE_HANDSHAKE = "hami.io/node-handshake-va";
  /** Pod: comma list of device (die or card) ids the pod may use. */
  public static final String USE_UUID = "vastaitech.com/use-gpuuuid";
  /** Pod: comma list of device ids the pod must not use. */
  public static final String NOUSE_UUID = "vastaitech.com/nouse-gpuuuid";
  /**
   * Pod: comma list of card (AIC) ids the pod's devices may come from. Declared but unused in HAMi v2.9; here a
   * card filter, in die and card mode alike.
   */
  public static final String USE_VA = "vastaitech.com/use-va";
  /** Pod: comma list of card (AIC) ids the pod's devices must not come from. */
  public static final String NOUSE_VA = "vastaitech.com/nouse-va";
  /** Pod: HAMi's scheduler policy (v2.10); {@link #POLICY_MUTEX} treats a card with any die in use as busy. */
  public static final String SCHEDULER_POLICY = "hami.io/gpu-scheduler-policy";
  public static final String POLICY_MUTEX = "mutex";

  /** Custom-info key: {@code die} in die mode. */
  public static final String CUSTOM_DEVICE_STRATEGY = "DeviceStrategy";
  /** Custom-info key: the card (AIC) a die belongs to. */
  public static final String CUSTOM_AIC = "AIC";
  public static final String STRATEGY_DIE = "die";
  public static final String STRATEGY_CARD = "card";

  private VastaiAnnotations() {}
}
