package io.github.volcanovgpu.mig.gpu;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The NVML MIG symbols (reference deviceplugin-cdi-mig.md §5.2), bound by their real versioned names and loaded at
 * run time. Structs are passed as raw {@link Memory} with the offsets of §5.3.
 */
interface NvmlMigLibrary extends Library {
  int SUCCESS = 0;
  int ERROR_INVALID_ARGUMENT = 2;
  int ERROR_NOT_SUPPORTED = 3;
  int ERROR_NOT_FOUND = 6;
  int ERROR_INSUFFICIENT_SIZE = 7;
  int BUFFER_SIZE = 96;

  int nvmlInit_v2();

  int nvmlShutdown();

  String nvmlErrorString(int result);

  int nvmlDeviceGetCount_v2(IntByReference count);

  int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

  int nvmlDeviceGetUUID(Pointer device, byte[] uuid, int length);

  int nvmlDeviceGetName(Pointer device, byte[] name, int length);

  /** nvmlPciInfo_t, 68 bytes; pciDeviceId u32 at offset 28. */
  int nvmlDeviceGetPciInfo_v3(Pointer device, Memory pci);

  /** nvmlMemory_t: total, free, used (u64 bytes). */
  int nvmlDeviceGetMemoryInfo(Pointer device, Memory memory);

  int nvmlDeviceGetMigMode(Pointer device, IntByReference current, IntByReference pending);

  int nvmlDeviceSetMigMode(Pointer device, int mode, IntByReference activationStatus);

  /** nvmlGpuInstanceProfileInfo_t, 48 bytes: id @0, sliceCount @8, instanceCount @12, memorySizeMB u64 @40. */
  int nvmlDeviceGetGpuInstanceProfileInfo(Pointer device, int profileIndex, Memory info);

  /** Array of nvmlGpuInstancePlacement_t {start, size}; NULL array gives the count. */
  int nvmlDeviceGetGpuInstancePossiblePlacements_v2(Pointer device, int profileId, Pointer placements,
      IntByReference count);

  int nvmlDeviceGetGpuInstances(Pointer device, int profileId, Pointer instances, IntByReference count);

  int nvmlDeviceGetGpuInstanceById(Pointer device, int id, PointerByReference instance);

  int nvmlDeviceCreateGpuInstanceWithPlacement(Pointer device, int profileId, Memory placement,
      PointerByReference instance);

  /** nvmlGpuInstanceInfo_t, 24 bytes: device @0, id @8, profileId @12, placement start @16, size @20. */
  int nvmlGpuInstanceGetInfo(Pointer instance, Memory info);

  /** nvmlComputeInstanceProfileInfo_t, 36 bytes: id @0, sliceCount @4. */
  int nvmlGpuInstanceGetComputeInstanceProfileInfo(Pointer instance, int profileIndex, int engineProfile,
      Memory info);

  int nvmlGpuInstanceCreateComputeInstance(Pointer instance, int profileId, PointerByReference computeInstance);

  int nvmlGpuInstanceGetComputeInstances(Pointer instance, int profileId, Pointer computeInstances,
      IntByReference count);

  /** nvmlComputeInstanceInfo_t, 32 bytes: device @0, gpuInstance @8, id @16, profileId @20. */
  int nvmlComputeInstanceGetInfo_v2(Pointer computeInstance, Memory info);

  int nvmlComputeInstanceDestroy(Pointer computeInstance);

  int nvmlGpuInstanceDestroy(Pointer instance);

  int nvmlDeviceGetMaxMigDeviceCount(Pointer device, IntByReference count);

  int nvmlDeviceGetMigDeviceHandleByIndex(Pointer device, int index, PointerByReference migDevice);

  int nvmlDeviceGetGpuInstanceId(Pointer device, IntByReference id);

  int nvmlDeviceGetComputeInstanceId(Pointer device, IntByReference id);

  /** With a zero count and NULL array: SUCCESS when no process runs, INSUFFICIENT_SIZE when some do. */
  int nvmlDeviceGetComputeRunningProcesses_v3(Pointer device, IntByReference count, Pointer infos);
}
