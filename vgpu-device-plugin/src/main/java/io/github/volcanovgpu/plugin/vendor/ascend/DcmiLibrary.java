package io.github.volcanovgpu.plugin.vendor.ascend;

import com.sun.jna.Library;
import com.sun.jna.NativeLong;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;

/**
 * The DCMI symbols the device plugin uses ({@code libdcmi.so}, Ascend/mind-cluster {@code dcmi_interface_api.h}),
 * loaded at run time through JNA, never linked. Every call returns 0 on success or a negative DCMI error code.
 */
interface DcmiLibrary extends Library {
  int OK = 0;
  /** {@code DCMI_ERR_CODE_NOT_SUPPORT}. */
  int ERR_NOT_SUPPORT = -8255;
  /** {@code enum dcmi_die_type}: VDIE. */
  int VDIE = 1;
  int MAX_CARDS = 64;

  int dcmi_init();

  int dcmi_get_card_list(IntByReference cardNum, int[] cardList, int listLen);

  int dcmi_get_device_num_in_card(int cardId, IntByReference deviceNum);

  int dcmi_get_device_logic_id(IntByReference logicId, int cardId, int deviceId);

  int dcmi_get_device_phyid_from_logicid(int logicId, IntByReference phyId);

  int dcmi_get_device_chip_info(int cardId, int deviceId, ChipInfo info);

  int dcmi_get_device_health(int cardId, int deviceId, IntByReference health);

  int dcmi_get_device_hbm_info(int cardId, int deviceId, HbmInfo info);

  int dcmi_get_device_memory_info_v3(int cardId, int deviceId, MemoryInfo info);

  int dcmi_get_device_die_v2(int cardId, int deviceId, int dieType, DieId die);

  /** {@code struct dcmi_chip_info} (100 bytes): chip type, chip name (e.g. {@code 910B3}), version, AI cores. */
  @Structure.FieldOrder({"chipType", "chipName", "chipVer", "aicoreCnt"})
  final class ChipInfo extends Structure {
    public byte[] chipType = new byte[32];
    public byte[] chipName = new byte[32];
    public byte[] chipVer = new byte[32];
    public int aicoreCnt;
  }

  /** {@code struct dcmi_hbm_info} (32 bytes on LP64): HBM size in MB first. */
  @Structure.FieldOrder({"memorySize", "freq", "memoryUsage", "temp", "bandwidthUtilRate"})
  final class HbmInfo extends Structure {
    public long memorySize;
    public int freq;
    public long memoryUsage;
    public int temp;
    public int bandwidthUtilRate;
  }

  /** {@code struct dcmi_get_memory_info_stru} (112 bytes on LP64): DDR size in MB first. */
  @Structure.FieldOrder({"memorySize", "memoryAvailable", "freq", "hugepagesize", "hugepagesTotal", "hugepagesFree",
      "utiliza", "reserve"})
  final class MemoryInfo extends Structure {
    public long memorySize;
    public long memoryAvailable;
    public int freq;
    public NativeLong hugepagesize = new NativeLong();
    public NativeLong hugepagesTotal = new NativeLong();
    public NativeLong hugepagesFree = new NativeLong();
    public int utiliza;
    public byte[] reserve = new byte[60];
  }

  /** {@code struct dcmi_die_id}: five words. */
  @Structure.FieldOrder({"socDie"})
  final class DieId extends Structure {
    public int[] socDie = new int[5];
  }
}
