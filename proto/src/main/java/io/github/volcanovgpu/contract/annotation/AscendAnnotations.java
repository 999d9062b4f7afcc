package io.github.volcanovgpu.contract.annotation;

/**
 * Ascend-only keys (HAMi v2.9 {@code pkg/device/ascend}, Volcano v1.16 {@code devices/ascend/hami}), plus the seed's
 * alias names, which HAMi's code does not have: this product reads them as aliases of a chip's names.
 */
public final class AscendAnnotations {
  /** Pod: {@code hami-core} pins the pod to soft sharing; {@code template} (ours) pins it to hard-split vNPUs. */
  public static final String VNPU_MODE = "huawei.com/vnpu-mode";
  public static final String VNPU_MODE_HAMI_CORE = "hami-core";
  public static final String VNPU_MODE_TEMPLATE = "template";
  /** Node: {@code "true"} enables hami-core soft sharing on this node, anything else disables it. */
  public static final String NODE_HAMI_CORE = "hami-vnpu-core";

  /** Seed alias: the count resource (NPUs) of the chip named by the pod annotation of the same key. */
  public static final String ALIAS_COUNT = "hami.io/vnpu-core";
  /** Seed alias: memory per NPU in MiB. */
  public static final String ALIAS_MEMORY = "hami.io/vnpu-core-memory";
  /** Seed: pod annotation naming the chip the alias resources mean (e.g. {@code ascend910c}). */
  public static final String ALIAS_CHIP = "hami.io/vnpu-core";
  /**
   * Seed: pod annotation restricting the pod to nodes whose annotation of the same key lists the value
   * (comma-separated), e.g. {@code ascend910c-module-0}.
   */
  public static final String NODE_FILTER = "hami.io/vnpu-core-node-filter";

  /** Custom-info key of a device's network group (910 series topology). */
  public static final String CUSTOM_NETWORK_ID = "NetworkID";
  /** Custom-info key of a 910C NPU's module (two NPUs per module); default: index / 2. */
  public static final String CUSTOM_MODULE_ID = "ModuleID";
  /** Custom-info key of the NPU's physical id ({@code ASCEND_VISIBLE_DEVICES}); default: the device index. */
  public static final String CUSTOM_PHYSICAL_ID = "PhyID";

  private AscendAnnotations() {}

  /** Pod: the runtime info the device plugin reads ({@code huawei.com/<CommonWord>}, see {@link AscendRuntimeInfo}). */
  public static String runtimeInfo(String commonWord) {
    return "huawei.com/" + commonWord;
  }
}
