package io.github.volcanovgpu.plugin.vendor.ascend;

import java.util.List;

/**
 * The Ascend driver as the device plugin needs it (Huawei DCMI, {@code libdcmi.so}): the node's NPUs and their
 * health. {@link JnaDcmiPort} in production, {@link FakeDcmiPort} with whole-machine fixtures elsewhere.
 * Thread-safe.
 */
public interface AscendDcmiPort extends AutoCloseable {
  /** DCMI's health word of a healthy NPU; 1 minor, 2 major, 3 critical alarm, {@link #ABSENT} device gone. */
  int HEALTHY = 0;
  /** {@code 0xFFFFFFFF}: the device does not answer. */
  int ABSENT = -1;

  /**
   * The NPUs of this node, in DCMI's enumeration order.
   *
   * @throws io.github.volcanovgpu.plugin.device.DiscoveryException naming the DCMI call that failed
   */
  List<Npu> npus();

  /**
   * The NPU's health word now ({@code dcmi_get_device_health}).
   *
   * @throws io.github.volcanovgpu.plugin.device.DiscoveryException when DCMI cannot answer
   */
  int health(Npu npu);

  @Override
  void close();

  /** A health word as text, e.g. {@code DCMI health 2 (major alarm)}. */
  static String describe(int health) {
    String what = switch (health) {
      case HEALTHY -> "healthy";
      case 1 -> "minor alarm";
      case 2 -> "major alarm";
      case 3 -> "critical alarm";
      case ABSENT -> "device absent";
      default -> "unknown state";
    };
    return "DCMI health " + Integer.toUnsignedString(health) + " (" + what + ")";
  }
}
