/*
 * Stub ACL (libascendcl.so), linked against the stub runtime exactly as CANN's ACL is: every acl* call below goes
 * through the exported rt* entry points (so a library preloaded in front of both sees the call twice, once per
 * layer). With STUB_ACL_DIRECT=1 ACL reaches the runtime through internal entry points instead, like an ACL with
 * the runtime linked in: then only ACL-level hooks see the call. Models (aclmdlLoadFromMem) allocate their
 * weights through rtMalloc, which is not hooked at ACL level at all.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/npu_abi.h"

#define EXPORT __attribute__((visibility("default")))

rtError_t rtSetDevice(int32_t dev);
rtError_t rtGetDevice(int32_t *dev);
rtError_t rtDeviceReset(int32_t dev);
rtError_t rtGetDeviceCount(int32_t *n);
rtError_t rtMalloc(void **p, uint64_t size, uint32_t type, uint16_t module_id);
rtError_t rtMallocCached(void **p, uint64_t size, uint32_t type, uint16_t module_id);
rtError_t rtFree(void *p);
rtError_t rtMallocPhysical(rtDrvMemHandle *h, size_t size, rtDrvMemProp_t *prop, uint64_t flags);
rtError_t rtFreePhysical(rtDrvMemHandle h);
rtError_t rtMemGetInfoEx(int type, size_t *f, size_t *t);
rtError_t rtStreamCreate(rtStream_t *s, int32_t priority);
rtError_t rtStreamDestroy(rtStream_t s);
rtError_t rtStreamSynchronize(rtStream_t s);
rtError_t rtDeviceSynchronize(void);
rtError_t rtKernelLaunchWithHandleV2(void *hdl, uint64_t tiling_key, uint32_t block_dim, rtArgsEx_t *args,
                                     rtSmDesc_t *sm, rtStream_t stm, const rtTaskCfgInfo_t *cfg);
rtError_t rtModelExecute(rtModel_t model, rtStream_t stm, uint32_t flag);
rtError_t stub_rt_malloc_internal(void **p, uint64_t size);
rtError_t stub_rt_free_internal(void *p);
rtError_t stub_rt_malloc_physical_internal(rtDrvMemHandle *h, size_t size, int dev);
rtError_t stub_rt_free_physical_internal(rtDrvMemHandle h);
rtError_t stub_rt_meminfo_internal(size_t *f, size_t *t);
rtError_t stub_rt_launch_internal(void);

static int direct = -1;
static int is_direct(void) {
  if (direct < 0) {
    const char *e = getenv("STUB_ACL_DIRECT");
    direct = e != NULL && *e == '1';
  }
  return direct;
}
static __thread const char *last_call = "";
EXPORT const char *stub_acl_last_call(void) { return last_call; }
#define CALLED(name) (last_call = name)

EXPORT aclError aclInit(const char *config) {
  (void)config;
  return ACL_SUCCESS;
}
EXPORT aclError aclFinalize(void) { return ACL_SUCCESS; }
EXPORT aclError aclrtSetDevice(int32_t dev) { return rtSetDevice(dev); }
EXPORT aclError aclrtGetDevice(int32_t *dev) { return rtGetDevice(dev); }
EXPORT aclError aclrtResetDevice(int32_t dev) { return rtDeviceReset(dev); }
EXPORT aclError aclrtGetDeviceCount(uint32_t *n) {
  int32_t k = 0;
  aclError rc = rtGetDeviceCount(&k);
  *n = (uint32_t)k;
  return rc;
}

static aclError acl_malloc(void **p, size_t size, int cached) {
  if (is_direct()) return stub_rt_malloc_internal(p, size);
  return cached ? rtMallocCached(p, size, 0, 0) : rtMalloc(p, size, 0, 0);
}
EXPORT aclError aclrtMalloc(void **p, size_t size, int policy) {
  (void)policy;
  CALLED("aclrtMalloc");
  return acl_malloc(p, size, 0);
}
EXPORT aclError aclrtMallocCached(void **p, size_t size, int policy) {
  (void)policy;
  CALLED("aclrtMallocCached");
  return acl_malloc(p, size, 1);
}
EXPORT aclError aclrtMallocAlign32(void **p, size_t size, int policy) {
  (void)policy;
  CALLED("aclrtMallocAlign32");
  return acl_malloc(p, size, 0);
}
EXPORT aclError aclrtFree(void *p) {
  CALLED("aclrtFree");
  return is_direct() ? stub_rt_free_internal(p) : rtFree(p);
}
EXPORT aclError aclrtMallocPhysical(aclrtDrvMemHandle *h, size_t size, const aclrtPhysicalMemProp *prop,
                                    uint64_t flags) {
  CALLED("aclrtMallocPhysical");
  if (prop == NULL || prop->location.type != ACL_MEM_LOCATION_TYPE_DEVICE) return ACL_ERROR_INVALID_PARAM;
  if (is_direct()) return stub_rt_malloc_physical_internal(h, size, (int)prop->location.id);
  rtDrvMemProp_t rp = {.side = 1, .devid = prop->location.id};
  return rtMallocPhysical(h, size, &rp, flags);
}
EXPORT aclError aclrtFreePhysical(aclrtDrvMemHandle h) {
  CALLED("aclrtFreePhysical");
  return is_direct() ? stub_rt_free_physical_internal(h) : rtFreePhysical(h);
}
EXPORT aclError aclrtGetMemInfo(int attr, size_t *f, size_t *t) {
  CALLED("aclrtGetMemInfo");
  return is_direct() ? stub_rt_meminfo_internal(f, t) : rtMemGetInfoEx(attr, f, t);
}

EXPORT aclError aclrtCreateStream(aclrtStream *s) { return rtStreamCreate(s, 0); }
EXPORT aclError aclrtDestroyStream(aclrtStream s) { return rtStreamDestroy(s); }
EXPORT aclError aclrtSynchronizeStream(aclrtStream s) { return rtStreamSynchronize(s); }
EXPORT aclError aclrtSynchronizeDevice(void) { return rtDeviceSynchronize(); }

EXPORT aclError aclrtLaunchKernel(aclrtFuncHandle fn, uint32_t block_dim, const void *args, size_t args_size,
                                  aclrtStream stream) {
  (void)args_size;
  CALLED("aclrtLaunchKernel");
  if (is_direct()) return stub_rt_launch_internal();
  return rtKernelLaunchWithHandleV2(fn, 0, block_dim, (rtArgsEx_t *)(uintptr_t)args, NULL, stream, NULL);
}

/* ---- models: weights allocated at load through the runtime; a run is one launch ---- */
#define MAXMODEL 64
static struct {
  void *weights;
  int used;
} models[MAXMODEL];

EXPORT aclError aclmdlLoadFromMem(const void *model, size_t size, uint32_t *model_id) {
  (void)model;
  for (uint32_t i = 0; i < MAXMODEL; i++) {
    if (models[i].used) continue;
    void *w = NULL;
    aclError rc = is_direct() ? stub_rt_malloc_internal(&w, size) : rtMalloc(&w, size, 0, 0);
    if (rc != ACL_SUCCESS) return rc;
    models[i].weights = w;
    models[i].used = 1;
    *model_id = i;
    return ACL_SUCCESS;
  }
  return ACL_ERROR_INVALID_PARAM;
}
EXPORT aclError aclmdlUnload(uint32_t model_id) {
  if (model_id >= MAXMODEL || !models[model_id].used) return ACL_ERROR_INVALID_PARAM;
  models[model_id].used = 0;
  return is_direct() ? stub_rt_free_internal(models[model_id].weights) : rtFree(models[model_id].weights);
}
EXPORT aclError aclmdlExecuteAsync(uint32_t model_id, const aclmdlDataset *input, aclmdlDataset *output,
                                   aclrtStream stream) {
  (void)input, (void)output;
  CALLED("aclmdlExecuteAsync");
  if (model_id >= MAXMODEL || !models[model_id].used) return ACL_ERROR_INVALID_PARAM;
  return is_direct() ? stub_rt_launch_internal() : rtModelExecute((rtModel_t)(uintptr_t)(model_id + 1), stream, 0);
}
EXPORT aclError aclmdlExecute(uint32_t model_id, const aclmdlDataset *input, aclmdlDataset *output) {
  CALLED("aclmdlExecute");
  if (model_id >= MAXMODEL || !models[model_id].used) return ACL_ERROR_INVALID_PARAM;
  aclError rc = is_direct() ? stub_rt_launch_internal()
                            : rtModelExecute((rtModel_t)(uintptr_t)(model_id + 1), NULL, 0);
  (void)input, (void)output;
  return rc == ACL_SUCCESS ? rtStreamSynchronize(NULL) : rc; /* synchronous */
}
