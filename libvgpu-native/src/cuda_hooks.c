/* Exported CUDA driver and NVML hooks, and cuGetProcAddress(_v2). Edge code around the policy core. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define PASS(name, args)                                                                    \
  do {                                                                                      \
    name##_fn f__ = vgpu_real.name != NULL ? vgpu_real.name : (name##_fn)vgpu_next(#name); \
    return f__ != NULL ? f__ args : CUDA_ERROR_NOT_FOUND;                                   \
  } while (0)

static inline uint64_t limit_of(int dev) { return vgpu_mem_limit(&vgpu_g, dev); }

static inline bool reserve(int dev, uint64_t size) { return vgpu_reserve(&vgpu_g, dev, size); }
static inline void unreserve(int dev, uint64_t size) { vgpu_unreserve(&vgpu_g, dev, size); }
static inline void track(vgpu_kind kind, uint64_t key, int dev, uint64_t size) {
  vgpu_remember(&vgpu_g, kind, key, dev, size);
}
static inline bool untrack(vgpu_kind kind, uint64_t key, int *dev, uint64_t *size) {
  return vgpu_forget(kind, key, dev, size);
}
/* A free always reaches the driver, tracked or not; the memory returns when the driver succeeded. */
#define FREE_HOOK(name, params, call, skip, kind, key)                                  \
  VGPU_EXPORT CUresult name params {                                                    \
    if (!vgpu_cuda_ready() || (skip)) PASS(name, call);                                 \
    int dev;                                                                            \
    uint64_t size;                                                                      \
    bool tracked = untrack(kind, (uint64_t)(uintptr_t)(key), &dev, &size);              \
    CUresult rc = vgpu_real.name call;                                                  \
    vgpu_settle_free(&vgpu_g, tracked, rc == CUDA_SUCCESS, kind, (uint64_t)(uintptr_t)(key), dev, size); \
    return rc;                                                                          \
  }

/* ---- init ---- */
VGPU_EXPORT CUresult cuInit(unsigned int flags) {
  vgpu_cuda_ready();
  PASS(cuInit, (flags));
}

/* ---- memory info ---- */
VGPU_EXPORT CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev) {
  if (!vgpu_cuda_ready()) PASS(cuDeviceTotalMem_v2, (bytes, dev));
  CUresult rc = vgpu_real.cuDeviceTotalMem_v2(bytes, dev);
  if (rc == CUDA_SUCCESS && bytes != NULL) {
    vgpu_meminfo m = vgpu_virtual_meminfo(limit_of(dev), 0, *bytes, *bytes);
    *bytes = (size_t)m.total;
  }
  return rc;
}

VGPU_EXPORT CUresult cuMemGetInfo_v2(size_t *free_bytes, size_t *total_bytes) {
  if (!vgpu_cuda_ready()) PASS(cuMemGetInfo_v2, (free_bytes, total_bytes));
  size_t f = 0, t = 0;
  CUresult rc = vgpu_real.cuMemGetInfo_v2(&f, &t);
  if (rc != CUDA_SUCCESS) return rc;
  int dev = vgpu_current_device();
  vgpu_meminfo m = vgpu_virtual_meminfo(limit_of(dev), vgpu_region_used(&vgpu_g.shm, dev), t, f);
  if (free_bytes != NULL) *free_bytes = (size_t)m.free;
  if (total_bytes != NULL) *total_bytes = (size_t)m.total;
  return rc;
}

/* ---- allocation ---- */
VGPU_EXPORT CUresult cuMemAlloc_v2(CUdeviceptr *dptr, size_t size) {
  if (!vgpu_cuda_ready()) PASS(cuMemAlloc_v2, (dptr, size));
  int dev = vgpu_current_device();
  if (!reserve(dev, size)) return CUDA_ERROR_OUT_OF_MEMORY;
  CUresult rc = vgpu_real.cuMemAlloc_v2(dptr, size);
  if (rc != CUDA_SUCCESS) unreserve(dev, size);
  else track(VGPU_KIND_DEVPTR, *dptr, dev, size);
  return rc;
}

VGPU_EXPORT CUresult cuMemAllocPitch_v2(CUdeviceptr *dptr, size_t *pitch, size_t width, size_t height,
                                        unsigned int elem) {
  if (!vgpu_cuda_ready()) PASS(cuMemAllocPitch_v2, (dptr, pitch, width, height, elem));
  int dev = vgpu_current_device();
  uint64_t est = vgpu_pitch_bytes(width, height, elem);
  if (!reserve(dev, est)) return CUDA_ERROR_OUT_OF_MEMORY;
  CUresult rc = vgpu_real.cuMemAllocPitch_v2(dptr, pitch, width, height, elem);
  if (rc != CUDA_SUCCESS) {
    unreserve(dev, est);
    return rc;
  }
  uint64_t actual = pitch != NULL ? vgpu_sat_mul(*pitch, height) : est;
  if (actual > est) (void)vgpu_region_try_charge(&vgpu_g.shm, dev, actual - est, 0);
  else if (actual < est) unreserve(dev, est - actual);
  track(VGPU_KIND_DEVPTR, *dptr, dev, actual);
  return rc;
}

VGPU_EXPORT CUresult cuMemAllocManaged(CUdeviceptr *dptr, size_t size, unsigned int flags) {
  if (!vgpu_cuda_ready() || vgpu_g.cfg.oversubscribe) PASS(cuMemAllocManaged, (dptr, size, flags));
  int dev = vgpu_current_device();
  if (!reserve(dev, size)) return CUDA_ERROR_OUT_OF_MEMORY;
  CUresult rc = vgpu_real.cuMemAllocManaged(dptr, size, flags);
  if (rc != CUDA_SUCCESS) unreserve(dev, size);
  else track(VGPU_KIND_DEVPTR, *dptr, dev, size);
  return rc;
}

FREE_HOOK(cuMemFree_v2, (CUdeviceptr dptr), (dptr), dptr == 0, VGPU_KIND_DEVPTR, dptr)

/* A stream being captured into a graph: the allocation becomes a graph memory node, charged at instantiation. */
static bool capturing(CUstream s) {
  int status = CU_STREAM_CAPTURE_STATUS_NONE;
  return s != NULL && vgpu_real.cuStreamIsCapturing != NULL && vgpu_real.cuStreamIsCapturing(s, &status) == CUDA_SUCCESS &&
         status != CU_STREAM_CAPTURE_STATUS_NONE;
}

#define ASYNC_ALLOC(name, params, call)                              \
  VGPU_EXPORT CUresult name params {                                 \
    if (!vgpu_cuda_ready() || capturing(s)) PASS(name, call);        \
    int dev = vgpu_current_device();                                 \
    if (!reserve(dev, size)) return CUDA_ERROR_OUT_OF_MEMORY;        \
    CUresult rc = vgpu_real.name call;                               \
    if (rc != CUDA_SUCCESS) unreserve(dev, size);                    \
    else track(VGPU_KIND_DEVPTR, *dptr, dev, size);                  \
    return rc;                                                       \
  }

ASYNC_ALLOC(cuMemAllocAsync, (CUdeviceptr * dptr, size_t size, CUstream s), (dptr, size, s))
ASYNC_ALLOC(cuMemAllocAsync_ptsz, (CUdeviceptr * dptr, size_t size, CUstream s), (dptr, size, s))
ASYNC_ALLOC(cuMemAllocFromPoolAsync, (CUdeviceptr * dptr, size_t size, CUmemoryPool pool, CUstream s),
            (dptr, size, pool, s))
ASYNC_ALLOC(cuMemAllocFromPoolAsync_ptsz, (CUdeviceptr * dptr, size_t size, CUmemoryPool pool, CUstream s),
            (dptr, size, pool, s))

FREE_HOOK(cuMemFreeAsync, (CUdeviceptr dptr, CUstream s), (dptr, s), dptr == 0, VGPU_KIND_DEVPTR, dptr)
FREE_HOOK(cuMemFreeAsync_ptsz, (CUdeviceptr dptr, CUstream s), (dptr, s), dptr == 0, VGPU_KIND_DEVPTR, dptr)

VGPU_EXPORT CUresult cuMemCreate(CUmemGenericAllocationHandle *handle, size_t size, const CUmemAllocationProp *prop,
                                 unsigned long long flags) {
  if (!vgpu_cuda_ready() || prop == NULL || prop->location.type != CU_MEM_LOCATION_TYPE_DEVICE)
    PASS(cuMemCreate, (handle, size, prop, flags));
  int dev = prop->location.id;
  if (!reserve(dev, size)) return CUDA_ERROR_OUT_OF_MEMORY;
  CUresult rc = vgpu_real.cuMemCreate(handle, size, prop, flags);
  if (rc != CUDA_SUCCESS) unreserve(dev, size);
  else track(VGPU_KIND_VMM, *handle, dev, size);
  return rc;
}

FREE_HOOK(cuMemRelease, (CUmemGenericAllocationHandle handle), (handle), false, VGPU_KIND_VMM, handle)

VGPU_EXPORT CUresult cuArrayCreate_v2(CUarray *arr, const CUDA_ARRAY_DESCRIPTOR *desc) {
  if (!vgpu_cuda_ready() || desc == NULL) PASS(cuArrayCreate_v2, (arr, desc));
  int dev = vgpu_current_device();
  uint64_t size = vgpu_array_bytes(desc->Width, desc->Height, 1, (unsigned)desc->Format, desc->NumChannels);
  if (!reserve(dev, size)) return CUDA_ERROR_OUT_OF_MEMORY;
  CUresult rc = vgpu_real.cuArrayCreate_v2(arr, desc);
  if (rc != CUDA_SUCCESS) unreserve(dev, size);
  else track(VGPU_KIND_ARRAY, (uint64_t)(uintptr_t)*arr, dev, size);
  return rc;
}

VGPU_EXPORT CUresult cuArray3DCreate_v2(CUarray *arr, const CUDA_ARRAY3D_DESCRIPTOR *desc) {
  if (!vgpu_cuda_ready() || desc == NULL) PASS(cuArray3DCreate_v2, (arr, desc));
  int dev = vgpu_current_device();
  uint64_t size = vgpu_array_bytes(desc->Width, desc->Height, desc->Depth, (unsigned)desc->Format, desc->NumChannels);
  if (!reserve(dev, size)) return CUDA_ERROR_OUT_OF_MEMORY;
  CUresult rc = vgpu_real.cuArray3DCreate_v2(arr, desc);
  if (rc != CUDA_SUCCESS) unreserve(dev, size);
  else track(VGPU_KIND_ARRAY, (uint64_t)(uintptr_t)*arr, dev, size);
  return rc;
}

FREE_HOOK(cuArrayDestroy, (CUarray arr), (arr), false, VGPU_KIND_ARRAY, arr)

/* ---- launches (every path is metered) ---- */
#define LAUNCH(name, params, call, gx, gy, gz)                   \
  VGPU_EXPORT CUresult name params {                             \
    if (__builtin_expect(!vgpu_cuda_ready(), 0)) PASS(name, call); \
    if (vgpu_g.throttle_any) vgpu_rate_limit(gx, gy, gz);        \
    return vgpu_real.name call;                                  \
  }

LAUNCH(cuLaunchKernel, VGPU_KPARAMS, VGPU_KARGS, gx, gy, gz)
LAUNCH(cuLaunchKernel_ptsz, VGPU_KPARAMS, VGPU_KARGS, gx, gy, gz)
LAUNCH(cuLaunchCooperativeKernel, VGPU_CPARAMS, VGPU_CARGS, gx, gy, gz)
LAUNCH(cuLaunchCooperativeKernel_ptsz, VGPU_CPARAMS, VGPU_CARGS, gx, gy, gz)
LAUNCH(cuLaunchKernelEx, (const CUlaunchConfig *cfg, CUfunction f, void **params, void **extra),
       (cfg, f, params, extra), cfg ? cfg->gridDimX : 1, cfg ? cfg->gridDimY : 1, cfg ? cfg->gridDimZ : 1)
LAUNCH(cuLaunchKernelEx_ptsz, (const CUlaunchConfig *cfg, CUfunction f, void **params, void **extra),
       (cfg, f, params, extra), cfg ? cfg->gridDimX : 1, cfg ? cfg->gridDimY : 1, cfg ? cfg->gridDimZ : 1)
/* A graph's kernels are not visible here: a replay costs a fixed quarter of the pool (gx == 0). */
LAUNCH(cuGraphLaunch, (CUgraphExec g, CUstream s), (g, s), 0, 0, 0)
LAUNCH(cuGraphLaunch_ptsz, (CUgraphExec g, CUstream s), (g, s), 0, 0, 0)

/* ---- contexts: their device memory is measured through NVML and charged ---- */
static bool primary_charged[VGPU_MAX_DEVICES];
static void cuda_hooks_after_fork(void) {
  memset(primary_charged, 0, sizeof primary_charged);
  vgpu_hostpid_after_fork();
}
/* This front end's own fork reset, registered at load so the runtime below never calls up into the hooks. */
__attribute__((constructor)) static void cuda_hooks_register_fork(void) {
  pthread_atfork(NULL, NULL, cuda_hooks_after_fork);
}

/* Context overhead: the growth of NVML "used" across the creation, at most 2 GiB (other tenants may allocate too). */
static uint64_t context_delta(uint64_t before, int dev) {
  uint64_t after = vgpu_nvml_used(dev);
  if (before == UINT64_MAX || after == UINT64_MAX) return 0;
  uint64_t d = vgpu_sat_sub(after, before);
  return d > (2ULL << 30) ? 0 : d;
}

VGPU_EXPORT CUresult cuDevicePrimaryCtxRetain(CUcontext *ctx, CUdevice dev) {
  if (!vgpu_cuda_ready() || dev < 0 || dev >= VGPU_MAX_DEVICES || __atomic_load_n(&primary_charged[dev], __ATOMIC_ACQUIRE))
    PASS(cuDevicePrimaryCtxRetain, (ctx, dev));
  vgpu_hostpid_probe probe;
  vgpu_hostpid_begin(&probe, dev);
  uint64_t before = vgpu_nvml_used(dev);
  CUresult rc = vgpu_real.cuDevicePrimaryCtxRetain(ctx, dev);
  vgpu_hostpid_end(&probe, rc == CUDA_SUCCESS);
  if (rc == CUDA_SUCCESS && !__atomic_exchange_n(&primary_charged[dev], true, __ATOMIC_ACQ_REL)) {
    uint64_t d = context_delta(before, dev);
    if (d > 0) {
      (void)vgpu_region_try_charge(&vgpu_g.shm, dev, d, 0); /* it exists already: charged, not refused */
      VGPU_INFO("device %d: primary context uses %llu bytes, charged", dev, (unsigned long long)d);
    }
  }
  return rc;
}

/* Charges a created context's measured overhead and remembers it for cuCtxDestroy. */
static CUresult context_created(CUresult rc, CUcontext *ctx, CUdevice dev, uint64_t before) {
  if (rc != CUDA_SUCCESS || ctx == NULL || dev < 0 || dev >= VGPU_MAX_DEVICES) return rc;
  uint64_t d = context_delta(before, dev);
  if (d > 0) {
    (void)vgpu_region_try_charge(&vgpu_g.shm, dev, d, 0); /* it exists already: charged, not refused */
    track(VGPU_KIND_CONTEXT, (uint64_t)(uintptr_t)*ctx, dev, d);
  }
  return rc;
}

#define CTX_CREATE(name, params, call)                                        \
  VGPU_EXPORT CUresult name params {                                          \
    if (!vgpu_cuda_ready()) PASS(name, call);                                 \
    vgpu_hostpid_probe probe;                                                 \
    vgpu_hostpid_begin(&probe, dev);                                          \
    uint64_t before = vgpu_nvml_used(dev);                                    \
    CUresult rc = vgpu_real.name call;                                        \
    vgpu_hostpid_end(&probe, rc == CUDA_SUCCESS);                             \
    return context_created(rc, ctx, dev, before);                             \
  }
CTX_CREATE(cuCtxCreate_v2, (CUcontext * ctx, unsigned int flags, CUdevice dev), (ctx, flags, dev))
CTX_CREATE(cuCtxCreate_v3,
           (CUcontext * ctx, CUexecAffinityParam * affinity, int naffinity, unsigned int flags, CUdevice dev),
           (ctx, affinity, naffinity, flags, dev))
CTX_CREATE(cuCtxCreate_v4, (CUcontext * ctx, CUctxCreateParams * cparams, unsigned int flags, CUdevice dev),
           (ctx, cparams, flags, dev))

FREE_HOOK(cuCtxDestroy_v2, (CUcontext ctx), (ctx), false, VGPU_KIND_CONTEXT, ctx)

/* ---- graph memory: a graph's allocation nodes are charged when it is instantiated, until the exec is destroyed ---- */

/* Device bytes of the graph's memory allocation nodes, per device (added with cuGraphAddMemAllocNode, cuGraphAddNode
 * or captured from cuMemAllocAsync). Returns false when the graph cannot be read (then nothing is charged). */
static bool graph_alloc_bytes(CUgraph graph, uint64_t bytes[VGPU_MAX_DEVICES]) {
  memset(bytes, 0, sizeof(uint64_t) * VGPU_MAX_DEVICES);
  size_t n = 0;
  if (vgpu_real.cuGraphGetNodes == NULL || vgpu_real.cuGraphNodeGetType == NULL ||
      vgpu_real.cuGraphMemAllocNodeGetParams == NULL || vgpu_real.cuGraphGetNodes(graph, NULL, &n) != CUDA_SUCCESS)
    return false;
  if (n == 0) return true;
  CUgraphNode *nodes = calloc(n, sizeof *nodes);
  if (nodes == NULL || vgpu_real.cuGraphGetNodes(graph, nodes, &n) != CUDA_SUCCESS) {
    free(nodes);
    return false;
  }
  for (size_t i = 0; i < n; i++) {
    int type = -1;
    CUDA_MEM_ALLOC_NODE_PARAMS p;
    memset(&p, 0, sizeof p);
    if (vgpu_real.cuGraphNodeGetType(nodes[i], &type) != CUDA_SUCCESS || type != CU_GRAPH_NODE_TYPE_MEM_ALLOC ||
        vgpu_real.cuGraphMemAllocNodeGetParams(nodes[i], &p) != CUDA_SUCCESS)
      continue;
    int dev = p.poolProps.location.type == CU_MEM_LOCATION_TYPE_DEVICE ? p.poolProps.location.id : -1;
    if (dev >= 0 && dev < VGPU_MAX_DEVICES) bytes[dev] = vgpu_sat_add(bytes[dev], p.bytesize);
  }
  free(nodes);
  return true;
}

/* Per-device keys of an exec's charges in the allocation table (user-space pointers leave the top byte free). */
static uint64_t exec_key(CUgraphExec exec, int dev) { return (uint64_t)(uintptr_t)exec ^ ((uint64_t)dev << 56); }

static bool graph_reserve(CUgraph graph, uint64_t bytes[VGPU_MAX_DEVICES]) {
  if (!graph_alloc_bytes(graph, bytes)) return true;
  for (int d = 0; d < VGPU_MAX_DEVICES; d++) {
    if (bytes[d] == 0 || reserve(d, bytes[d])) continue;
    while (--d >= 0) unreserve(d, bytes[d]);
    return false;
  }
  return true;
}

static CUresult graph_settle(CUresult rc, CUgraphExec *exec, const uint64_t bytes[VGPU_MAX_DEVICES]) {
  for (int d = 0; d < VGPU_MAX_DEVICES; d++) {
    if (bytes[d] == 0) continue;
    if (rc != CUDA_SUCCESS || exec == NULL) unreserve(d, bytes[d]);
    else track(VGPU_KIND_GRAPH_EXEC, exec_key(*exec, d), d, bytes[d]);
  }
  return rc;
}

#define INSTANTIATE(name, params, call)                                   \
  VGPU_EXPORT CUresult name params {                                     \
    if (!vgpu_cuda_ready()) PASS(name, call);                            \
    uint64_t bytes[VGPU_MAX_DEVICES];                                    \
    if (!graph_reserve(graph, bytes)) return CUDA_ERROR_OUT_OF_MEMORY;  \
    return graph_settle(vgpu_real.name call, exec, bytes);              \
  }
INSTANTIATE(cuGraphInstantiate_v2, (CUgraphExec * exec, CUgraph graph, CUgraphNode * err_node, char *log, size_t log_size),
            (exec, graph, err_node, log, log_size))
INSTANTIATE(cuGraphInstantiateWithFlags, (CUgraphExec * exec, CUgraph graph, unsigned long long flags),
            (exec, graph, flags))
INSTANTIATE(cuGraphInstantiateWithParams, (CUgraphExec * exec, CUgraph graph, CUDA_GRAPH_INSTANTIATE_PARAMS * iparams),
            (exec, graph, iparams))
INSTANTIATE(cuGraphInstantiateWithParams_ptsz,
            (CUgraphExec * exec, CUgraph graph, CUDA_GRAPH_INSTANTIATE_PARAMS * iparams), (exec, graph, iparams))

VGPU_EXPORT CUresult cuGraphExecDestroy(CUgraphExec exec) {
  if (!vgpu_cuda_ready()) PASS(cuGraphExecDestroy, (exec));
  uint64_t bytes[VGPU_MAX_DEVICES] = {0};
  for (int d = 0; d < VGPU_MAX_DEVICES; d++) {
    int dev;
    if (!untrack(VGPU_KIND_GRAPH_EXEC, exec_key(exec, d), &dev, &bytes[d])) bytes[d] = 0;
  }
  CUresult rc = vgpu_real.cuGraphExecDestroy(exec);
  for (int d = 0; d < VGPU_MAX_DEVICES; d++) {
    if (bytes[d] == 0) continue;
    if (rc == CUDA_SUCCESS) unreserve(d, bytes[d]);
    else track(VGPU_KIND_GRAPH_EXEC, exec_key(exec, d), d, bytes[d]);
  }
  return rc;
}

/* A node that can never fit (the graph's allocations on its device beyond what is left) is refused when added,
 * like any other allocation; the memory itself is charged when the graph is instantiated. */
VGPU_EXPORT CUresult cuGraphAddMemAllocNode(CUgraphNode *node, CUgraph graph, const CUgraphNode *deps, size_t ndeps,
                                            CUDA_MEM_ALLOC_NODE_PARAMS *nparams) {
  if (!vgpu_cuda_ready() || nparams == NULL || nparams->poolProps.location.type != CU_MEM_LOCATION_TYPE_DEVICE)
    PASS(cuGraphAddMemAllocNode, (node, graph, deps, ndeps, nparams));
  int dev = nparams->poolProps.location.id;
  uint64_t bytes[VGPU_MAX_DEVICES];
  if (dev >= 0 && dev < VGPU_MAX_DEVICES && graph_alloc_bytes(graph, bytes) &&
      (vgpu_g.cfg.refuse_all || !vgpu_fits(vgpu_region_used(&vgpu_g.shm, dev), vgpu_sat_add(bytes[dev], nparams->bytesize),
                                           limit_of(dev)))) {
    VGPU_WARN("device %d: graph allocation node of %llu bytes refused (the graph would not fit the limit)", dev,
              (unsigned long long)nparams->bytesize);
    return CUDA_ERROR_OUT_OF_MEMORY;
  }
  return vgpu_real.cuGraphAddMemAllocNode(node, graph, deps, ndeps, nparams);
}

/* ---- cuGetProcAddress ---- */
static void *hook_for_real(void *p) {
#define VGPU_MATCH(name, since, until, params, args) \
  if (vgpu_real.name != NULL && p == (void *)vgpu_real.name) return (void *)name;
  VGPU_CUDA_HOOKS(VGPU_MATCH)
#undef VGPU_MATCH
  return NULL;
}

/* Length of a symbol's base name: without a trailing _ptsz, then without a trailing _v<digits>. */
static size_t base_len(const char *name, bool *ptsz) {
  size_t n = strlen(name);
  *ptsz = n > 5 && strcmp(name + n - 5, "_ptsz") == 0;
  if (*ptsz) n -= 5;
  size_t d = n;
  while (d > 0 && name[d - 1] >= '0' && name[d - 1] <= '9') d--;
  if (d < n && d >= 2 && name[d - 1] == 'v' && name[d - 2] == '_') return d - 2;
  return n;
}

/*
 * Fallback when the driver hands out addresses that are not its exported symbols: the hook whose ABI the
 * driver serves for (base name, version, flags), from the since/until of the one hook list. A per-thread
 * request takes the _ptsz variant where one exists at that version. Never a hook of another ABI: a version
 * outside every variant's range (an old ABI, or one newer than the list knows) gets no hook.
 */
static void *hook_for_request(const char *symbol, int version, cuuint64_t flags) {
  static const struct {
    const char *name;
    int since, until;
    void *fn;
  } variants[] = {
#define VGPU_VARIANT(name, since, until, params, args) {#name, since, until, (void *)name},
      VGPU_CUDA_HOOKS(VGPU_VARIANT)
#undef VGPU_VARIANT
  };
  bool want_ptsz = (flags & CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM) != 0;
  size_t sym_len = strlen(symbol);
  void *best[2] = {NULL, NULL}; /* [0] legacy variant, [1] _ptsz variant */
  int best_since[2] = {-1, -1};
  for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
    bool ptsz;
    size_t n = base_len(variants[i].name, &ptsz);
    if (n != sym_len || strncmp(variants[i].name, symbol, n) != 0) continue;
    if (version < variants[i].since || (variants[i].until != 0 && version > variants[i].until)) continue;
    if (variants[i].since > best_since[ptsz]) {
      best[ptsz] = variants[i].fn;
      best_since[ptsz] = variants[i].since;
    }
  }
  return want_ptsz && best[1] != NULL ? best[1] : best[0];
}

static void substitute(const char *symbol, void **pfn, int version, cuuint64_t flags) {
  if (pfn == NULL || *pfn == NULL || symbol == NULL) return;
  void *h = hook_for_real(*pfn);
  /* Not one of the driver's exported addresses, but a name we hook: trust the versioned mapping. */
  if (h == NULL) h = hook_for_request(symbol, version, flags);
  if (h != NULL) {
    VGPU_DEBUG("cuGetProcAddress(%s, %d, %llu) -> hook", symbol, version, (unsigned long long)flags);
    *pfn = h;
  }
}

VGPU_EXPORT CUresult cuGetProcAddress(const char *symbol, void **pfn, int cudaVersion, cuuint64_t flags) {
  if (!vgpu_cuda_ready()) PASS(cuGetProcAddress, (symbol, pfn, cudaVersion, flags));
  if (vgpu_real.cuGetProcAddress == NULL) return CUDA_ERROR_NOT_FOUND;
  CUresult rc = vgpu_real.cuGetProcAddress(symbol, pfn, cudaVersion, flags);
  if (rc == CUDA_SUCCESS) substitute(symbol, pfn, cudaVersion, flags);
  return rc;
}

VGPU_EXPORT CUresult cuGetProcAddress_v2(const char *symbol, void **pfn, int cudaVersion, cuuint64_t flags,
                                         int *symbolStatus) {
  if (!vgpu_cuda_ready()) PASS(cuGetProcAddress_v2, (symbol, pfn, cudaVersion, flags, symbolStatus));
  if (vgpu_real.cuGetProcAddress_v2 == NULL) return CUDA_ERROR_NOT_FOUND;
  CUresult rc = vgpu_real.cuGetProcAddress_v2(symbol, pfn, cudaVersion, flags, symbolStatus);
  if (rc == CUDA_SUCCESS) substitute(symbol, pfn, cudaVersion, flags);
  return rc;
}
