package io.github.volcanovgpu.plugin.vendor.ascend;

import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;
import io.github.volcanovgpu.plugin.device.DiscoveryException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * NPUs from Huawei DCMI ({@code libdcmi.so}), loaded through JNA when the port is opened: the discovery sequence of
 * mind-cluster's Go wrapper (card list, devices per card, logic id, physical id) plus chip info, memory (HBM, else
 * DDR), the VDIE die id as the NPU's id, and {@code dcmi_get_device_health}. Without the library,
 * {@link #open} fails with one message naming it, where it was looked for, and {@code --fake-npus}.
 */
public final class JnaDcmiPort implements AscendDcmiPort {
  static final String LIBRARY = "libdcmi.so";
  /** Where the Ascend driver installs DCMI, under the driver root. */
  static final List<String> LOCATIONS = List.of("usr/local/Ascend/driver/lib64/driver", "usr/local/dcmi",
      "usr/local/Ascend/driver/lib64", "usr/lib64", "usr/lib");

  private final DcmiLibrary dcmi;
  private final String nodeName;
  /** NPU id to (card, device), as discovered. */
  private final Map<String, int[]> location = new HashMap<>();

  private JnaDcmiPort(DcmiLibrary dcmi, String nodeName) {
    this.dcmi = dcmi;
    this.nodeName = nodeName;
  }

  /**
   * Loads {@code libdcmi.so} (from {@code library} when given, else under {@code driverRoot}'s usual places, else the
   * system library path) and initialises DCMI.
   *
   * @param nodeName for NPU ids when DCMI has no die id ({@code <node>-npu-<phyId>})
   * @throws DiscoveryException naming the library, the places searched and {@code --fake-npus}
   */
  public static JnaDcmiPort open(Path driverRoot, String library, String nodeName) {
    Objects.requireNonNull(driverRoot, "driverRoot");
    List<String> searched = new ArrayList<>();
    String location = null;
    if (!library.isBlank()) {
      location = library;
      searched.add(library);
    } else {
      for (String dir : LOCATIONS) {
        Path candidate = driverRoot.resolve(dir).resolve(LIBRARY);
        searched.add(candidate.toString());
        if (location == null && Files.exists(candidate)) {
          location = candidate.toString();
        }
      }
      searched.add("the system library path");
    }
    DcmiLibrary lib;
    try {
      lib = Native.load(location != null ? location : LIBRARY, DcmiLibrary.class);
    } catch (UnsatisfiedLinkError e) {
      throw new DiscoveryException("cannot load " + LIBRARY + " (Huawei DCMI; looked in " + String.join(", ", searched)
          + "): is the Ascend driver installed on this node and mounted into the plugin's pod? Use --fake-npus "
          + String.join("|", FakeDcmiPort.FIXTURES) + "|FILE to run without an NPU. (" + e.getMessage() + ")", e);
    }
    check(lib.dcmi_init(), "dcmi_init");
    return new JnaDcmiPort(lib, nodeName);
  }

  private static void check(int ret, String call) {
    if (ret != DcmiLibrary.OK) {
      throw new DiscoveryException("DCMI " + call + " failed with error " + ret + " (see the DCMI return codes, e.g. "
          + "-8002 operation not permitted, -8008 device does not exist, -8013 not supported in a container)");
    }
  }

  @Override
  public synchronized List<Npu> npus() {
    IntByReference cardNum = new IntByReference();
    int[] cards = new int[DcmiLibrary.MAX_CARDS];
    check(dcmi.dcmi_get_card_list(cardNum, cards, cards.length), "dcmi_get_card_list");
    List<Npu> out = new ArrayList<>();
    location.clear();
    for (int c = 0; c < Math.min(cardNum.getValue(), cards.length); c++) {
      int card = cards[c];
      IntByReference deviceNum = new IntByReference();
      check(dcmi.dcmi_get_device_num_in_card(card, deviceNum), "dcmi_get_device_num_in_card(" + card + ")");
      for (int device = 0; device < deviceNum.getValue(); device++) {
        Npu npu = npu(card, device);
        location.put(npu.uuid(), new int[] {card, device});
        out.add(npu);
      }
    }
    return out;
  }

  private Npu npu(int card, int device) {
    String at = "(card " + card + ", device " + device + ")";
    IntByReference logic = new IntByReference();
    check(dcmi.dcmi_get_device_logic_id(logic, card, device), "dcmi_get_device_logic_id" + at);
    IntByReference phy = new IntByReference();
    check(dcmi.dcmi_get_device_phyid_from_logicid(logic.getValue(), phy), "dcmi_get_device_phyid_from_logicid" + at);
    DcmiLibrary.ChipInfo chip = new DcmiLibrary.ChipInfo();
    check(dcmi.dcmi_get_device_chip_info(card, device, chip), "dcmi_get_device_chip_info" + at);
    DcmiLibrary.DieId die = new DcmiLibrary.DieId();
    String id = dcmi.dcmi_get_device_die_v2(card, device, DcmiLibrary.VDIE, die) == DcmiLibrary.OK
        ? dieId(die.socDie) : nodeName + "-npu-" + phy.getValue();
    return new Npu(id, phy.getValue(), logic.getValue(), card, device, cString(chip.chipName), memoryMib(card, device),
        Math.max(0, chip.aicoreCnt), -1, card, -1);
  }

  /** HBM size (910 series), else DDR size (310P); 0 when neither answers. */
  private long memoryMib(int card, int device) {
    DcmiLibrary.HbmInfo hbm = new DcmiLibrary.HbmInfo();
    if (dcmi.dcmi_get_device_hbm_info(card, device, hbm) == DcmiLibrary.OK && hbm.memorySize > 0) {
      return hbm.memorySize;
    }
    DcmiLibrary.MemoryInfo ddr = new DcmiLibrary.MemoryInfo();
    if (dcmi.dcmi_get_device_memory_info_v3(card, device, ddr) == DcmiLibrary.OK && ddr.memorySize > 0) {
      return ddr.memorySize;
    }
    return 0;
  }

  /** The five die words as mind-cluster prints them: 8 upper-case hex digits each, joined by {@code -}. */
  static String dieId(int[] words) {
    StringJoiner out = new StringJoiner("-");
    for (int w : words) {
      out.add(String.format(Locale.ROOT, "%08X", w));
    }
    return out.toString();
  }

  private static String cString(byte[] buf) {
    int end = 0;
    while (end < buf.length && buf[end] != 0) {
      end++;
    }
    return new String(buf, 0, end, StandardCharsets.US_ASCII).trim();
  }

  @Override
  public synchronized int health(Npu npu) {
    int[] at = location.get(npu.uuid());
    int card = at != null ? at[0] : npu.cardId();
    int device = at != null ? at[1] : npu.deviceId();
    IntByReference health = new IntByReference();
    check(dcmi.dcmi_get_device_health(card, device, health), "dcmi_get_device_health(card " + card + ", device "
        + device + ")");
    return health.getValue();
  }

  @Override
  public void close() {
    // DCMI has no shutdown call; the library stays loaded with the process
  }
}
