/*
 * Stub Ascend runtime (libruntime.so, the rt* layer ACL and the graph engine go through) for CPU-only tests:
 * STUB_NPU_DEVICES devices (default 2) of STUB_NPU_TOTAL_MEM each (default 64g, a real out-of-memory beyond it,
 * code 207001), fake addresses, and a simulated device clock (stub/simcard.h): every kernel or model launch
 * occupies the card for STUB_NPU_KERNEL_NS (default 0) after the work queued before it, asynchronously;
 * rtStreamSynchronize / rtDeviceSynchronize wait for the caller's work. STUB_NPU_SHARED_USED=<file> records
 * device 0's use summed over every process, with its peak. Internal entry points (stub_rt_*_internal) let the
 * stub ACL reach the runtime without any exported rt* symbol, like a runtime linked into ACL.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/npu_abi.h"
#include "simcard.h"
#include "stubmem.h"

#define EXPORT __attribute__((visibility("default")))
enum { KIND_PTR = 0, KIND_PHYS = 1 };

static int ndev = -1;
static uint64_t kernel_ns;
static __thread int cur_dev = -1;
static __thread const char *last_call = "";
static uint64_t launches;

static void setup(void) {
  if (ndev >= 0) return;
  const char *d = getenv("STUB_NPU_DEVICES");
  int n = d ? atoi(d) : 2;
  stubmem_setup(stubmem_parse_size(getenv("STUB_NPU_TOTAL_MEM"), 64ULL << 30), getenv("STUB_NPU_SHARED_USED"));
  kernel_ns = stubmem_parse_size(getenv("STUB_NPU_KERNEL_NS"), 0);
  ndev = n < 1 ? 1 : n > 16 ? 16 : n;
}

#define CALLED(name) (last_call = name)
EXPORT const char *stub_npu_last_call(void) { return last_call; }
EXPORT uint64_t stub_npu_launches(void) { return __atomic_load_n(&launches, __ATOMIC_RELAXED); }
EXPORT unsigned long long stub_npu_used(int dev) { return stubmem_used(dev); }
EXPORT unsigned long long stub_npu_frees(void) { return stubmem_frees(); }
EXPORT unsigned long long stub_npu_shared_peak(void) { return stubmem_shared_peak(); }

static rtError_t mem_rc(int r) {
  return r == STUBMEM_OK ? RT_ERROR_NONE : r == STUBMEM_OOM ? ACL_ERROR_RT_MEMORY_ALLOCATION : ACL_ERROR_INVALID_PARAM;
}

EXPORT rtError_t rtSetDevice(int32_t dev) {
  setup();
  if (dev < 0 || dev >= ndev) return ACL_ERROR_INVALID_PARAM;
  cur_dev = dev;
  return RT_ERROR_NONE;
}
EXPORT rtError_t rtGetDevice(int32_t *dev) {
  if (cur_dev < 0) return ACL_ERROR_RT_CONTEXT_NULL;
  *dev = cur_dev;
  return RT_ERROR_NONE;
}
EXPORT rtError_t rtDeviceReset(int32_t dev) {
  (void)dev;
  cur_dev = -1;
  return RT_ERROR_NONE;
}
EXPORT rtError_t rtGetDeviceCount(int32_t *n) {
  setup();
  *n = ndev;
  return RT_ERROR_NONE;
}

/* ---- memory: internal entry points, then the exported ones ---- */
EXPORT rtError_t stub_rt_malloc_internal(void **p, uint64_t size) {
  setup();
  if (cur_dev < 0) return ACL_ERROR_RT_CONTEXT_NULL;
  unsigned long long a = 0;
  rtError_t rc = mem_rc(stubmem_alloc(&a, size, cur_dev, KIND_PTR));
  if (rc == RT_ERROR_NONE) *p = (void *)(uintptr_t)a;
  return rc;
}
EXPORT rtError_t stub_rt_free_internal(void *p) { return mem_rc(stubmem_free((uintptr_t)p, KIND_PTR)); }
EXPORT rtError_t stub_rt_malloc_physical_internal(rtDrvMemHandle *h, size_t size, int dev) {
  setup();
  unsigned long long a = 0;
  rtError_t rc = mem_rc(stubmem_alloc(&a, size, dev, KIND_PHYS));
  if (rc == RT_ERROR_NONE) *h = (rtDrvMemHandle)(uintptr_t)a;
  return rc;
}
EXPORT rtError_t stub_rt_free_physical_internal(rtDrvMemHandle h) {
  return mem_rc(stubmem_free((uintptr_t)h, KIND_PHYS));
}
EXPORT rtError_t stub_rt_meminfo_internal(size_t *f, size_t *t) {
  setup();
  if (cur_dev < 0) return ACL_ERROR_RT_CONTEXT_NULL;
  *t = stubmem_total();
  *f = stubmem_total() - stubmem_used(cur_dev);
  return RT_ERROR_NONE;
}
/* Allocates without any hooked entry point (an allocation the library never saw). */
EXPORT rtError_t stub_rt_alloc_untracked(void **p, uint64_t size) { return stub_rt_malloc_internal(p, size); }

EXPORT rtError_t rtMalloc(void **p, uint64_t size, uint32_t type, uint16_t module_id) {
  (void)type, (void)module_id;
  CALLED("rtMalloc");
  return stub_rt_malloc_internal(p, size);
}
EXPORT rtError_t rtMallocCached(void **p, uint64_t size, uint32_t type, uint16_t module_id) {
  (void)type, (void)module_id;
  CALLED("rtMallocCached");
  return stub_rt_malloc_internal(p, size);
}
EXPORT rtError_t rtFree(void *p) {
  CALLED("rtFree");
  return stub_rt_free_internal(p);
}
EXPORT rtError_t rtMallocPhysical(rtDrvMemHandle *h, size_t size, rtDrvMemProp_t *prop, uint64_t flags) {
  (void)flags;
  CALLED("rtMallocPhysical");
  if (prop == NULL || prop->side == RT_MEM_HOST_SIDE) return ACL_ERROR_INVALID_PARAM; /* host memory: not modelled */
  return stub_rt_malloc_physical_internal(h, size, (int)prop->devid);
}
EXPORT rtError_t rtFreePhysical(rtDrvMemHandle h) {
  CALLED("rtFreePhysical");
  return stub_rt_free_physical_internal(h);
}
EXPORT rtError_t rtMemGetInfoEx(int type, size_t *f, size_t *t) {
  (void)type;
  CALLED("rtMemGetInfoEx");
  return stub_rt_meminfo_internal(f, t);
}
EXPORT rtError_t rtMemGetInfo(size_t *f, size_t *t) {
  CALLED("rtMemGetInfo");
  return stub_rt_meminfo_internal(f, t);
}

/* ---- streams and the simulated device clock ---- */
EXPORT rtError_t rtStreamCreate(rtStream_t *s, int32_t priority) {
  (void)priority;
  static int serial;
  *s = (rtStream_t)(uintptr_t)(0x5000 + __atomic_add_fetch(&serial, 1, __ATOMIC_RELAXED));
  return RT_ERROR_NONE;
}
EXPORT rtError_t rtStreamDestroy(rtStream_t s) {
  (void)s;
  return RT_ERROR_NONE;
}
EXPORT rtError_t rtStreamSynchronize(rtStream_t s) {
  (void)s;
  simcard_sync(simcard_get(), (int32_t)getpid());
  return RT_ERROR_NONE;
}
EXPORT rtError_t rtDeviceSynchronize(void) {
  simcard_sync(simcard_get(), (int32_t)getpid());
  return RT_ERROR_NONE;
}
/* One kernel (or model run) of STUB_NPU_KERNEL_NS device time. */
EXPORT rtError_t stub_rt_launch_internal(void) {
  setup();
  if (cur_dev < 0) return ACL_ERROR_RT_CONTEXT_NULL;
  __atomic_fetch_add(&launches, 1, __ATOMIC_RELAXED);
  if (kernel_ns > 0) simcard_launch(simcard_get(), (int32_t)getpid(), kernel_ns);
  return RT_ERROR_NONE;
}

EXPORT rtError_t rtKernelLaunch(const void *fn, uint32_t block_dim, void *args, uint32_t args_size, rtSmDesc_t *sm,
                                rtStream_t stm) {
  (void)fn, (void)block_dim, (void)args, (void)args_size, (void)sm, (void)stm;
  CALLED("rtKernelLaunch");
  return stub_rt_launch_internal();
}
EXPORT rtError_t rtKernelLaunchWithFlagV2(const void *fn, uint32_t block_dim, rtArgsEx_t *args, rtSmDesc_t *sm,
                                          rtStream_t stm, uint32_t flags, const rtTaskCfgInfo_t *cfg) {
  (void)fn, (void)block_dim, (void)args, (void)sm, (void)stm, (void)flags, (void)cfg;
  CALLED("rtKernelLaunchWithFlagV2");
  return stub_rt_launch_internal();
}
EXPORT rtError_t rtKernelLaunchWithHandleV2(void *hdl, uint64_t tiling_key, uint32_t block_dim, rtArgsEx_t *args,
                                            rtSmDesc_t *sm, rtStream_t stm, const rtTaskCfgInfo_t *cfg) {
  (void)hdl, (void)tiling_key, (void)block_dim, (void)args, (void)sm, (void)stm, (void)cfg;
  CALLED("rtKernelLaunchWithHandleV2");
  return stub_rt_launch_internal();
}
EXPORT rtError_t rtAicpuKernelLaunchWithFlag(const rtKernelLaunchNames_t *names, uint32_t block_dim,
                                             const rtArgsEx_t *args, rtSmDesc_t *sm, rtStream_t stm, uint32_t flags) {
  (void)names, (void)block_dim, (void)args, (void)sm, (void)stm, (void)flags;
  CALLED("rtAicpuKernelLaunchWithFlag");
  return stub_rt_launch_internal();
}
EXPORT rtError_t rtAicpuKernelLaunchExWithArgs(uint32_t kernel_type, const char *op_name, uint32_t block_dim,
                                               const rtAicpuArgsEx_t *args, rtSmDesc_t *sm, rtStream_t stm,
                                               uint32_t flags) {
  (void)kernel_type, (void)op_name, (void)block_dim, (void)args, (void)sm, (void)stm, (void)flags;
  CALLED("rtAicpuKernelLaunchExWithArgs");
  return stub_rt_launch_internal();
}
EXPORT rtError_t rtModelExecute(rtModel_t model, rtStream_t stm, uint32_t flag) {
  (void)model, (void)stm, (void)flag;
  CALLED("rtModelExecute");
  return stub_rt_launch_internal();
}

/* Device time of a process on the simulated card (tests and the share harness). */
EXPORT uint64_t stub_npu_busy_ns(int32_t pid) { return simcard_total_busy(simcard_get(), pid); }
