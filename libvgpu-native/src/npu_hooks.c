/*
 * The Ascend front end: ACL and rt* hooks over the same policy core as CUDA (limits, region, allocation table).
 *
 * Both layers are hooked, because a CANN stack reaches device memory and the card through both: ACL calls the
 * runtime through its exported rt* symbols, the graph engine and custom operators call rt* directly, and an ACL
 * may also reach the runtime internally. A thread-local depth makes the outermost hook the only one that
 * accounts: aclrtMalloc charges and the rtMalloc it makes passes through, while an rtMalloc from the graph
 * engine (or from an ACL call that is not hooked, like aclmdlLoadFromMem) is charged at rt*. So an allocation is
 * bounded whichever layer the hook meets, and a launch (aclmdlExecute -> rtModelExecute) waits for its turn once.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NPU_NO_RUNTIME 500000 /* the runtime library is not loaded: nothing to call */

static struct {
#define VGPU_NPU_MEMBER(name, params, args) name##_fn name;
  VGPU_ACL_HOOKS(VGPU_NPU_MEMBER)
  VGPU_RT_HOOKS(VGPU_NPU_MEMBER)
  VGPU_NPU_REAL_ONLY(VGPU_NPU_MEMBER)
#undef VGPU_NPU_MEMBER
} npu;

/* The runtime's own function: from the loaded libascendcl.so / libruntime.so (never loading one), else the next
 * definition after libvgpu. Cached per name. */
static void *npu_resolve(void **slot, const char *name) {
  void *p = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
  if (__builtin_expect(p != NULL, 1)) return p;
  void *lib = dlopen(name[0] == 'a' ? "libascendcl.so" : "libruntime.so", RTLD_NOW | RTLD_NOLOAD);
  if (lib != NULL) {
    p = vgpu_real_dlsym(lib, name);
    dlclose(lib);
  }
  if (p == NULL) p = vgpu_real_dlsym(RTLD_NEXT, name);
  if (p != NULL) __atomic_store_n(slot, p, __ATOMIC_RELEASE);
  return p;
}
#define NPU_REAL(name) ((name##_fn)npu_resolve((void **)&npu.name, #name))

/* initial-exec: read on every hook crossing; libvgpu is preloaded, so its TLS is in the static block */
static __thread int tl_depth __attribute__((tls_model("initial-exec")));
static uint64_t launches; /* outermost launch hooks under a compute limit (each application launch once) */
VGPU_EXPORT uint64_t vgpu_stat_npu_launches(void) { return __atomic_load_n(&launches, __ATOMIC_RELAXED); }

static void check_visible_devices(void) {
  const char *v = getenv(VGPU_ENV_ASCEND_VISIBLE);
  if (v == NULL || *v == '\0') return;
  int n = 1;
  for (const char *p = v; *p; p++) n += *p == ',';
  VGPU_INFO("Ascend devices visible to the container: %s (logical devices 0..%d); limits index logical devices", v,
            n - 1);
  /* only a limit named for one device beyond the list is a mistake; NPU_MEM_QUOTA and friends apply to every device */
  static const char *const per_device[] = {VGPU_ENV_NPU_MEM_QUOTA, VGPU_ENV_NPU_CORE_PERCENT};
  for (int d = n; d < VGPU_MAX_DEVICES; d++) {
    for (size_t k = 0; k < sizeof per_device / sizeof per_device[0]; k++) {
      char name[64];
      snprintf(name, sizeof name, "%s_%d", per_device[k], d);
      if (getenv(name) != NULL)
        VGPU_WARN("%s is set but ASCEND_VISIBLE_DEVICES=%s lists %d device(s) (logical devices 0..%d)", name, v, n,
                  n - 1);
    }
  }
}

/* The outermost hook of a call accounts; nested ones (ACL calling rt*) pass through. */
static inline bool npu_enter(void) {
  if (tl_depth > 0) return false;
  if (__builtin_expect(__atomic_load_n(&vgpu_npu.state, __ATOMIC_ACQUIRE) != 1, 0)) {
    static int checked;
    if (!vgpu_front_ready(&vgpu_npu)) return false;
    if (!__atomic_exchange_n(&checked, 1, __ATOMIC_ACQ_REL)) check_visible_devices();
  }
  tl_depth++;
  return true;
}
static inline void npu_leave(void) { tl_depth--; }

/* The calling thread's current device (logical), or -1. */
static int npu_device(void) {
  int32_t d = -1;
  rtGetDevice_fn rt = NPU_REAL(rtGetDevice);
  if (rt != NULL && rt(&d) == RT_ERROR_NONE) return d;
  aclrtGetDevice_fn acl = NPU_REAL(aclrtGetDevice);
  if (acl != NULL && acl(&d) == ACL_SUCCESS) return d;
  return -1;
}

void vgpu_npu_drain(void) {
  rtDeviceSynchronize_fn rt = NPU_REAL(rtDeviceSynchronize);
  if (rt != NULL) {
    (void)rt();
    return;
  }
  aclrtSynchronizeDevice_fn acl = NPU_REAL(aclrtSynchronizeDevice);
  if (acl != NULL) (void)acl();
}

/* ---- memory: reserved before the runtime allocates, returned when it frees ---- */
static int npu_alloc_done(int rc, void *key, int dev, uint64_t size, vgpu_kind kind) {
  if (rc != 0 || key == NULL) vgpu_unreserve(&vgpu_npu, dev, size);
  else vgpu_remember(&vgpu_npu, kind, (uint64_t)(uintptr_t)key, dev, size);
  npu_leave();
  return rc;
}

/* dev_expr < 0: not device memory, passed through uncharged. */
#define NPU_ALLOC(name, params, call, dev_expr, out, kind)                      \
  VGPU_EXPORT int name params {                                                \
    name##_fn real = NPU_REAL(name);                                           \
    if (real == NULL) return NPU_NO_RUNTIME;                                   \
    if (!npu_enter()) return real call;                                        \
    int dev = (dev_expr);                                                      \
    if (dev < 0 || out == NULL) {                                              \
      npu_leave();                                                             \
      return real call;                                                        \
    }                                                                          \
    if (!vgpu_reserve(&vgpu_npu, dev, size)) {                                 \
      npu_leave();                                                             \
      return ACL_ERROR_RT_MEMORY_ALLOCATION;                                   \
    }                                                                          \
    int rc = real call;                                                        \
    return npu_alloc_done(rc, rc == 0 ? (void *)*(out) : NULL, dev, size, kind); \
  }

#define NPU_FREE(name, params, call, key, kind)                                      \
  VGPU_EXPORT int name params {                                                     \
    name##_fn real = NPU_REAL(name);                                                \
    if (real == NULL) return NPU_NO_RUNTIME;                                        \
    if (key == NULL || !npu_enter()) return real call;                              \
    int dev = -1;                                                                   \
    uint64_t size = 0;                                                              \
    bool tracked = vgpu_forget(kind, (uint64_t)(uintptr_t)key, &dev, &size);        \
    int rc = real call; /* always reaches the runtime, tracked or not */            \
    vgpu_settle_free(&vgpu_npu, tracked, rc == 0, kind, (uint64_t)(uintptr_t)key, dev, size); \
    npu_leave();                                                                    \
    return rc;                                                                      \
  }

NPU_ALLOC(aclrtMalloc, VGPU_NPU_MALLOC_PARAMS, VGPU_NPU_MALLOC_ARGS, npu_device(), dev_ptr, VGPU_KIND_NPU_PTR)
NPU_ALLOC(aclrtMallocCached, VGPU_NPU_MALLOC_PARAMS, VGPU_NPU_MALLOC_ARGS, npu_device(), dev_ptr, VGPU_KIND_NPU_PTR)
NPU_ALLOC(aclrtMallocAlign32, VGPU_NPU_MALLOC_PARAMS, VGPU_NPU_MALLOC_ARGS, npu_device(), dev_ptr, VGPU_KIND_NPU_PTR)
NPU_ALLOC(rtMalloc, VGPU_RT_MALLOC_PARAMS, VGPU_RT_MALLOC_ARGS, npu_device(), dev_ptr, VGPU_KIND_NPU_PTR)
NPU_ALLOC(rtMallocCached, VGPU_RT_MALLOC_PARAMS, VGPU_RT_MALLOC_ARGS, npu_device(), dev_ptr, VGPU_KIND_NPU_PTR)
NPU_ALLOC(aclrtMallocPhysical,
          (aclrtDrvMemHandle * handle, size_t size, const aclrtPhysicalMemProp *prop, uint64_t flags),
          (handle, size, prop, flags),
          prop != NULL && prop->location.type == ACL_MEM_LOCATION_TYPE_DEVICE ? (int)prop->location.id : -1,
          handle, VGPU_KIND_NPU_PHYS)
NPU_ALLOC(rtMallocPhysical, (rtDrvMemHandle * handle, size_t size, rtDrvMemProp_t * prop, uint64_t flags),
          (handle, size, prop, flags), prop != NULL && prop->side != RT_MEM_HOST_SIDE ? (int)prop->devid : -1,
          handle, VGPU_KIND_NPU_PHYS)

NPU_FREE(aclrtFree, (void *dev_ptr), (dev_ptr), dev_ptr, VGPU_KIND_NPU_PTR)
NPU_FREE(rtFree, (void *dev_ptr), (dev_ptr), dev_ptr, VGPU_KIND_NPU_PTR)
NPU_FREE(aclrtFreePhysical, (aclrtDrvMemHandle handle), (handle), handle, VGPU_KIND_NPU_PHYS)
NPU_FREE(rtFreePhysical, (rtDrvMemHandle handle), (handle), handle, VGPU_KIND_NPU_PHYS)

/* ---- memory info: the quota as the card's total, free clamped to it ---- */
static int npu_info_done(int rc, size_t *free_bytes, size_t *total_bytes) {
  if (rc == 0 && free_bytes != NULL && total_bytes != NULL) {
    int dev = npu_device();
    vgpu_meminfo m = vgpu_virtual_meminfo(vgpu_mem_limit(&vgpu_npu, dev), vgpu_region_used(&vgpu_npu.shm, dev),
                                          *total_bytes, *free_bytes);
    *free_bytes = (size_t)m.free;
    *total_bytes = (size_t)m.total;
  }
  npu_leave();
  return rc;
}

#define NPU_MEMINFO(name, params, call)                     \
  VGPU_EXPORT int name params {                             \
    name##_fn real = NPU_REAL(name);                        \
    if (real == NULL) return NPU_NO_RUNTIME;                \
    if (!npu_enter()) return real call;                     \
    return npu_info_done(real call, free_bytes, total_bytes); \
  }

NPU_MEMINFO(aclrtGetMemInfo, (int attr, size_t *free_bytes, size_t *total_bytes), (attr, free_bytes, total_bytes))
NPU_MEMINFO(rtMemGetInfoEx, (int type, size_t *free_bytes, size_t *total_bytes), (type, free_bytes, total_bytes))
NPU_MEMINFO(rtMemGetInfo, (size_t *free_bytes, size_t *total_bytes), (free_bytes, total_bytes))

/* ---- kernel and model launches: each waits for the container's turn on the card, once ---- */
#define NPU_LAUNCH(name, params, call)                     \
  VGPU_EXPORT int name params {                            \
    name##_fn real = NPU_REAL(name);                       \
    if (real == NULL) return NPU_NO_RUNTIME;               \
    if (!npu_enter()) return real call;                    \
    int dev = -1;                                          \
    bool metered = false;                                  \
    if (vgpu_npu.throttle_any) {                           \
      __atomic_fetch_add(&launches, 1, __ATOMIC_RELAXED);  \
      metered = vgpu_npu_turn_begin(dev = npu_device());   \
    }                                                      \
    int rc = real call;                                    \
    if (metered) vgpu_npu_turn_end(dev);                   \
    npu_leave();                                           \
    return rc;                                             \
  }

NPU_LAUNCH(aclrtLaunchKernel,
           (aclrtFuncHandle fn, uint32_t block_dim, const void *args, size_t args_size, aclrtStream stream),
           (fn, block_dim, args, args_size, stream))
NPU_LAUNCH(aclmdlExecute, (uint32_t model_id, const aclmdlDataset *input, aclmdlDataset *output),
           (model_id, input, output))
NPU_LAUNCH(aclmdlExecuteAsync, (uint32_t model_id, const aclmdlDataset *input, aclmdlDataset *output, aclrtStream stream),
           (model_id, input, output, stream))
NPU_LAUNCH(rtKernelLaunch,
           (const void *stub_fn, uint32_t block_dim, void *args, uint32_t args_size, rtSmDesc_t *sm, rtStream_t stm),
           (stub_fn, block_dim, args, args_size, sm, stm))
NPU_LAUNCH(rtKernelLaunchWithFlagV2,
           (const void *stub_fn, uint32_t block_dim, rtArgsEx_t *args, rtSmDesc_t *sm, rtStream_t stm, uint32_t flags,
            const rtTaskCfgInfo_t *cfg),
           (stub_fn, block_dim, args, sm, stm, flags, cfg))
NPU_LAUNCH(rtKernelLaunchWithHandleV2,
           (void *hdl, uint64_t tiling_key, uint32_t block_dim, rtArgsEx_t *args, rtSmDesc_t *sm, rtStream_t stm,
            const rtTaskCfgInfo_t *cfg),
           (hdl, tiling_key, block_dim, args, sm, stm, cfg))
NPU_LAUNCH(rtAicpuKernelLaunchWithFlag,
           (const rtKernelLaunchNames_t *names, uint32_t block_dim, const rtArgsEx_t *args, rtSmDesc_t *sm,
            rtStream_t stm, uint32_t flags),
           (names, block_dim, args, sm, stm, flags))
NPU_LAUNCH(rtAicpuKernelLaunchExWithArgs,
           (uint32_t kernel_type, const char *op_name, uint32_t block_dim, const rtAicpuArgsEx_t *args, rtSmDesc_t *sm,
            rtStream_t stm, uint32_t flags),
           (kernel_type, op_name, block_dim, args, sm, stm, flags))
NPU_LAUNCH(rtModelExecute, (rtModel_t model, rtStream_t stm, uint32_t flag), (model, stm, flag))
