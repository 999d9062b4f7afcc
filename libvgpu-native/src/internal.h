/* Internal declarations of libvgpu.so (edge code: CUDA/NVML glue around the policy core). */
#ifndef VGPU_INTERNAL_H
#define VGPU_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cuda_abi.h"
#include "vgpu/core.h"
#include "vgpu/region.h"
#include "vgpu/track.h"

#define VGPU_EXPORT __attribute__((visibility("default")))

/* Hooked CUDA driver entry points: X(name, parameter list, argument list). */
#define VGPU_CUDA_HOOKS(X)                                                                                       \
  X(cuInit, (unsigned int flags), (flags))                                                                      \
  X(cuGetProcAddress, (const char *symbol, void **pfn, int cudaVersion, cuuint64_t flags),                      \
    (symbol, pfn, cudaVersion, flags))                                                                          \
  X(cuGetProcAddress_v2, (const char *symbol, void **pfn, int cudaVersion, cuuint64_t flags, int *symbolStatus), \
    (symbol, pfn, cudaVersion, flags, symbolStatus))                                                            \
  X(cuDeviceTotalMem_v2, (size_t *bytes, CUdevice dev), (bytes, dev))                                            \
  X(cuMemGetInfo_v2, (size_t *free_bytes, size_t *total_bytes), (free_bytes, total_bytes))                      \
  X(cuMemAlloc_v2, (CUdeviceptr *dptr, size_t size), (dptr, size))                                              \
  X(cuMemAllocPitch_v2, (CUdeviceptr *dptr, size_t *pitch, size_t width, size_t height, unsigned int elem),      \
    (dptr, pitch, width, height, elem))                                                                         \
  X(cuMemAllocManaged, (CUdeviceptr *dptr, size_t size, unsigned int flags), (dptr, size, flags))               \
  X(cuMemFree_v2, (CUdeviceptr dptr), (dptr))                                                                   \
  X(cuMemAllocAsync, (CUdeviceptr *dptr, size_t size, CUstream s), (dptr, size, s))                             \
  X(cuMemAllocAsync_ptsz, (CUdeviceptr *dptr, size_t size, CUstream s), (dptr, size, s))                        \
  X(cuMemAllocFromPoolAsync, (CUdeviceptr *dptr, size_t size, CUmemoryPool pool, CUstream s),                   \
    (dptr, size, pool, s))                                                                                      \
  X(cuMemAllocFromPoolAsync_ptsz, (CUdeviceptr *dptr, size_t size, CUmemoryPool pool, CUstream s),              \
    (dptr, size, pool, s))                                                                                      \
  X(cuMemFreeAsync, (CUdeviceptr dptr, CUstream s), (dptr, s))                                                  \
  X(cuMemFreeAsync_ptsz, (CUdeviceptr dptr, CUstream s), (dptr, s))                                             \
  X(cuMemCreate,                                                                                                \
    (CUmemGenericAllocationHandle * handle, size_t size, const CUmemAllocationProp *prop,                       \
     unsigned long long flags),                                                                                 \
    (handle, size, prop, flags))                                                                                \
  X(cuMemRelease, (CUmemGenericAllocationHandle handle), (handle))                                              \
  X(cuArrayCreate_v2, (CUarray * arr, const CUDA_ARRAY_DESCRIPTOR *desc), (arr, desc))                          \
  X(cuArray3DCreate_v2, (CUarray * arr, const CUDA_ARRAY3D_DESCRIPTOR *desc), (arr, desc))                      \
  X(cuArrayDestroy, (CUarray arr), (arr))                                                                       \
  X(cuLaunchKernel,                                                                                             \
    (CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by,         \
     unsigned int bz, unsigned int shmem, CUstream s, void **params, void **extra),                             \
    (f, gx, gy, gz, bx, by, bz, shmem, s, params, extra))                                                       \
  X(cuLaunchKernel_ptsz,                                                                                        \
    (CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by,         \
     unsigned int bz, unsigned int shmem, CUstream s, void **params, void **extra),                             \
    (f, gx, gy, gz, bx, by, bz, shmem, s, params, extra))                                                       \
  X(cuLaunchKernelEx, (const CUlaunchConfig *cfg, CUfunction f, void **params, void **extra),                   \
    (cfg, f, params, extra))                                                                                    \
  X(cuLaunchKernelEx_ptsz, (const CUlaunchConfig *cfg, CUfunction f, void **params, void **extra),              \
    (cfg, f, params, extra))                                                                                    \
  X(cuLaunchCooperativeKernel,                                                                                  \
    (CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by,         \
     unsigned int bz, unsigned int shmem, CUstream s, void **params),                                           \
    (f, gx, gy, gz, bx, by, bz, shmem, s, params))                                                              \
  X(cuLaunchCooperativeKernel_ptsz,                                                                             \
    (CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by,         \
     unsigned int bz, unsigned int shmem, CUstream s, void **params),                                           \
    (f, gx, gy, gz, bx, by, bz, shmem, s, params))                                                              \
  X(cuGraphLaunch, (CUgraphExec g, CUstream s), (g, s))                                                         \
  X(cuGraphLaunch_ptsz, (CUgraphExec g, CUstream s), (g, s))                                                    \
  X(cuDevicePrimaryCtxRetain, (CUcontext * ctx, CUdevice dev), (ctx, dev))                                      \
  X(cuCtxCreate_v2, (CUcontext * ctx, unsigned int flags, CUdevice dev), (ctx, flags, dev))                     \
  X(cuCtxDestroy_v2, (CUcontext ctx), (ctx))

/* Driver functions libvgpu calls but does not hook. */
#define VGPU_CUDA_REAL_ONLY(X)                                                                                   \
  X(cuCtxGetDevice, (CUdevice * dev), (dev))                                                                    \
  X(cuDeviceGetAttribute, (int *value, int attrib, CUdevice dev), (value, attrib, dev))

#define VGPU_DECLARE_FN(name, params, args) typedef CUresult(*name##_fn) params;
VGPU_CUDA_HOOKS(VGPU_DECLARE_FN)
VGPU_CUDA_REAL_ONLY(VGPU_DECLARE_FN)
#define VGPU_PROTO(name, params, args) VGPU_EXPORT CUresult name params;
VGPU_CUDA_HOOKS(VGPU_PROTO)
#undef VGPU_PROTO
VGPU_EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory);
VGPU_EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t *memory);

typedef struct {
#define VGPU_MEMBER(name, params, args) name##_fn name;
  VGPU_CUDA_HOOKS(VGPU_MEMBER)
  VGPU_CUDA_REAL_ONLY(VGPU_MEMBER)
#undef VGPU_MEMBER
} vgpu_cuda_table;

extern vgpu_cuda_table vgpu_real;

/* NVML entry points. */
typedef nvmlReturn_t (*nvml_mem_fn)(nvmlDevice_t, nvmlMemory_t *);
typedef nvmlReturn_t (*nvml_mem2_fn)(nvmlDevice_t, nvmlMemory_v2_t *);

/* Logging: level 0 silent, 1 errors, 2 warnings (default), 3 info, 4 debug. Always stderr. */
extern int vgpu_log_level;
void vgpu_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define VGPU_ERROR(...) vgpu_log(1, __VA_ARGS__)
#define VGPU_WARN(...) vgpu_log(2, __VA_ARGS__)
#define VGPU_INFO(...) vgpu_log(3, __VA_ARGS__)
#define VGPU_DEBUG(...) \
  do { \
    if (vgpu_log_level >= 4) vgpu_log(4, __VA_ARGS__); \
  } while (0)

/* The glibc dlsym (never our override). */
void *vgpu_real_dlsym(void *handle, const char *name);
/* Our hook for an exported CUDA/NVML name, or NULL. */
void *vgpu_hook_by_name(const char *name);

/* Runtime state. */
typedef struct {
  vgpu_config cfg; /* effective (after the region's written-once limits) */
  vgpu_shm shm;
  bool core_ready;
  bool cuda_ready;
  bool throttle_any; /* some device has an SM limit and the policy is not disable */
} vgpu_state;
extern vgpu_state vgpu_g;

/* Loads the real driver table (lazily); false when the driver is absent or we are re-entering. */
bool vgpu_cuda_ready(void);
/* Config + shared region (lazily, without touching the driver). */
bool vgpu_core_ready(void);
/* Real function, or the next definition after libvgpu when the table is not loaded yet. */
void *vgpu_next(const char *name);
/* Current context's device, or -1. */
int vgpu_current_device(void);
/* Throttling: blocks as needed before a launch of the given grid on the current device. */
void vgpu_rate_limit(unsigned int gx, unsigned int gy, unsigned int gz);
/* Lock for the allocation table. */
void vgpu_track_lock(void);
void vgpu_track_unlock(void);
extern vgpu_track vgpu_allocs;
/* Resets per-process CUDA state in a forked child. */
void vgpu_hooks_after_fork(void);

#endif
