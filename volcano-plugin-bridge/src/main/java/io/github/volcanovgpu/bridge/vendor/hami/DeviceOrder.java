package io.github.volcanovgpu.bridge.vendor.hami;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;

/**
 * Volcano's and HAMi's per-device score ({@code CalScore}) and the walk order it gives: binpack = 100 x used
 * memory / device memory (the fullest first), spread = 100 for an idle device (idle first), none = 0 (index
 * order). Ties keep the lower index first, so the order is deterministic (the peers sort a map's values).
 */
public final class DeviceOrder {
  private DeviceOrder() {}

  /** Score of one device before the new share is added; guarded for zero-memory devices. */
  public static double score(SchedulingPolicy policy, long usedMemory, long deviceMemory, int usedShares) {
    return switch (policy) {
      case BINPACK -> deviceMemory <= 0 ? 0 : 100.0 * Math.min(usedMemory, deviceMemory) / deviceMemory;
      case SPREAD -> usedShares == 0 ? 100 : 0;
      case NONE -> 0;
    };
  }

  /** Device indices by descending {@code scores}, lower index first on ties (insertion sort: a handful). */
  public static int[] byScore(double[] scores) {
    int n = scores.length;
    int[] order = new int[n];
    for (int k = 0; k < n; k++) {
      int j = k - 1;
      while (j >= 0 && scores[k] > scores[order[j]]) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = k;
    }
    return order;
  }
}
