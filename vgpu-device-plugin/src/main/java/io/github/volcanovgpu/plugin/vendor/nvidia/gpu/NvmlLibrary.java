package io.github.volcanovgpu.plugin.vendor.nvidia.gpu;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The NVML symbols the device plugin uses, bound by their real (versioned) names; loaded at run time through
 * JNA, never linked. Layouts from reference deviceplugin-cdi-mig.md §5.
 */
interface NvmlLibrary extends Library {
  int SUCCESS = 0;
  int ERROR_NOT_SUPPORTED = 3;
  int ERROR_TIMEOUT = 10;
  int ERROR_INSUFFICIENT_SIZE = 7;
  int ERROR_NOT_FOUND = 6;
  /** {@code nvmlProcessInfo_t} (v2/v3): pid u32, pad, usedGpuMemory u64, gpuInstanceId u32, computeInstanceId u32. */
  int PROCESS_INFO_BYTES = 24;
  /** {@code nvmlProcessUtilizationSample_t}: pid u32, pad, timeStamp u64, smUtil, memUtil, encUtil, decUtil u32. */
  int PROCESS_UTIL_BYTES = 32;
  int BUFFER_SIZE = 96;
  long EVENT_XID_CRITICAL = 0x8L;
  long EVENT_DOUBLE_BIT_ECC = 0x2L;
  long EVENT_SINGLE_BIT_ECC = 0x1L;

  int nvmlInit_v2();

  int nvmlShutdown();

  String nvmlErrorString(int result);

  int nvmlDeviceGetCount_v2(IntByReference count);

  int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

  int nvmlDeviceGetUUID(Pointer device, byte[] uuid, int length);

  int nvmlDeviceGetName(Pointer device, byte[] name, int length);

  int nvmlDeviceGetMinorNumber(Pointer device, IntByReference minor);

  int nvmlDeviceGetMemoryInfo(Pointer device, Memory memory);

  int nvmlDeviceGetNumaNodeId(Pointer device, IntByReference node);

  int nvmlDeviceGetMigMode(Pointer device, IntByReference current, IntByReference pending);

  int nvmlDeviceGetUtilizationRates(Pointer device, Utilization utilization);

  int nvmlDeviceGetComputeRunningProcesses_v3(Pointer device, IntByReference count, Pointer infos);

  int nvmlDeviceGetProcessUtilization(Pointer device, Pointer samples, IntByReference count, long lastSeenTimeStamp);

  int nvmlEventSetCreate(PointerByReference set);

  int nvmlDeviceGetSupportedEventTypes(Pointer device, com.sun.jna.ptr.LongByReference types);

  int nvmlDeviceRegisterEvents(Pointer device, long types, Pointer set);

  int nvmlEventSetWait_v2(Pointer set, EventData data, int timeoutMs);

  int nvmlEventSetFree(Pointer set);

  /** {@code nvmlMemory_t}: total, free, used in bytes (24 bytes). */
  @Structure.FieldOrder({"total", "free", "used"})
  final class Memory extends Structure {
    public long total;
    public long free;
    public long used;
  }

  /** {@code nvmlUtilization_t}: gpu and memory percent over the last sample period. */
  @Structure.FieldOrder({"gpu", "memory"})
  final class Utilization extends Structure {
    public int gpu;
    public int memory;
  }

  /** {@code nvmlEventData_t} (32 bytes): device, eventType, eventData (the XID), GI id, CI id. */
  @Structure.FieldOrder({"device", "eventType", "eventData", "gpuInstanceId", "computeInstanceId"})
  final class EventData extends Structure {
    public Pointer device;
    public long eventType;
    public long eventData;
    public int gpuInstanceId;
    public int computeInstanceId;
  }
}
