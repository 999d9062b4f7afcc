/*
 * The one list of hooked entry points per API. Each list expands into the real-function typedefs and table,
 * the exported prototypes, the resolution of the real functions, the dlsym name table and (CUDA) the
 * cuGetProcAddress fallback. Nothing else names a hooked symbol, so nothing is kept in sync by hand.
 *
 * CUDA entries: X(name, since, until, parameter list, argument list). `since` is the CUDA version from which
 * cuGetProcAddress(<base name>, version) answers with this ABI variant (the _vNNNN of its PFN typedef);
 * `until` is the last such version when a newer variant of the same base name replaced it (0: still current).
 * The base name is the symbol without its _ptsz and _v<n> suffixes.
 */
#ifndef VGPU_HOOK_LISTS_H
#define VGPU_HOOK_LISTS_H

#include "cuda_abi.h"

#define VGPU_KPARAMS                                                                                             \
  (CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by,           \
   unsigned int bz, unsigned int shmem, CUstream s, void **params, void **extra)
#define VGPU_KARGS (f, gx, gy, gz, bx, by, bz, shmem, s, params, extra)
#define VGPU_CPARAMS                                                                                             \
  (CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by,           \
   unsigned int bz, unsigned int shmem, CUstream s, void **params)
#define VGPU_CARGS (f, gx, gy, gz, bx, by, bz, shmem, s, params)

#define VGPU_CUDA_HOOKS(X)                                                                                       \
  X(cuInit, 2000, 0, (unsigned int flags), (flags))                                                             \
  X(cuGetProcAddress, 11030, 11999, (const char *symbol, void **pfn, int cudaVersion, cuuint64_t flags),        \
    (symbol, pfn, cudaVersion, flags))                                                                          \
  X(cuGetProcAddress_v2, 12000, 0,                                                                              \
    (const char *symbol, void **pfn, int cudaVersion, cuuint64_t flags, int *symbolStatus),                     \
    (symbol, pfn, cudaVersion, flags, symbolStatus))                                                            \
  X(cuDeviceTotalMem_v2, 3020, 0, (size_t *bytes, CUdevice dev), (bytes, dev))                                   \
  X(cuMemGetInfo_v2, 3020, 0, (size_t *free_bytes, size_t *total_bytes), (free_bytes, total_bytes))             \
  X(cuMemAlloc_v2, 3020, 0, (CUdeviceptr *dptr, size_t size), (dptr, size))                                     \
  X(cuMemAllocPitch_v2, 3020, 0,                                                                                \
    (CUdeviceptr *dptr, size_t *pitch, size_t width, size_t height, unsigned int elem),                         \
    (dptr, pitch, width, height, elem))                                                                         \
  X(cuMemAllocManaged, 6000, 0, (CUdeviceptr *dptr, size_t size, unsigned int flags), (dptr, size, flags))      \
  X(cuMemFree_v2, 3020, 0, (CUdeviceptr dptr), (dptr))                                                          \
  X(cuMemAllocAsync, 11020, 0, (CUdeviceptr *dptr, size_t size, CUstream s), (dptr, size, s))                   \
  X(cuMemAllocAsync_ptsz, 11020, 0, (CUdeviceptr *dptr, size_t size, CUstream s), (dptr, size, s))              \
  X(cuMemAllocFromPoolAsync, 11020, 0, (CUdeviceptr *dptr, size_t size, CUmemoryPool pool, CUstream s),         \
    (dptr, size, pool, s))                                                                                      \
  X(cuMemAllocFromPoolAsync_ptsz, 11020, 0, (CUdeviceptr *dptr, size_t size, CUmemoryPool pool, CUstream s),    \
    (dptr, size, pool, s))                                                                                      \
  X(cuMemFreeAsync, 11020, 0, (CUdeviceptr dptr, CUstream s), (dptr, s))                                        \
  X(cuMemFreeAsync_ptsz, 11020, 0, (CUdeviceptr dptr, CUstream s), (dptr, s))                                   \
  X(cuMemCreate, 10020, 0,                                                                                      \
    (CUmemGenericAllocationHandle * handle, size_t size, const CUmemAllocationProp *prop,                       \
     unsigned long long flags),                                                                                 \
    (handle, size, prop, flags))                                                                                \
  X(cuMemRelease, 10020, 0, (CUmemGenericAllocationHandle handle), (handle))                                    \
  X(cuArrayCreate_v2, 3020, 0, (CUarray * arr, const CUDA_ARRAY_DESCRIPTOR *desc), (arr, desc))                 \
  X(cuArray3DCreate_v2, 3020, 0, (CUarray * arr, const CUDA_ARRAY3D_DESCRIPTOR *desc), (arr, desc))             \
  X(cuArrayDestroy, 2000, 0, (CUarray arr), (arr))                                                              \
  X(cuLaunchKernel, 4000, 0, VGPU_KPARAMS, VGPU_KARGS)                                                          \
  X(cuLaunchKernel_ptsz, 7000, 0, VGPU_KPARAMS, VGPU_KARGS)                                                     \
  X(cuLaunchKernelEx, 11060, 0, (const CUlaunchConfig *cfg, CUfunction f, void **params, void **extra),         \
    (cfg, f, params, extra))                                                                                    \
  X(cuLaunchKernelEx_ptsz, 11060, 0, (const CUlaunchConfig *cfg, CUfunction f, void **params, void **extra),    \
    (cfg, f, params, extra))                                                                                    \
  X(cuLaunchCooperativeKernel, 9000, 0, VGPU_CPARAMS, VGPU_CARGS)                                               \
  X(cuLaunchCooperativeKernel_ptsz, 9000, 0, VGPU_CPARAMS, VGPU_CARGS)                                          \
  X(cuGraphLaunch, 10000, 0, (CUgraphExec g, CUstream s), (g, s))                                               \
  X(cuGraphLaunch_ptsz, 10000, 0, (CUgraphExec g, CUstream s), (g, s))                                          \
  X(cuDevicePrimaryCtxRetain, 7000, 0, (CUcontext * ctx, CUdevice dev), (ctx, dev))                             \
  X(cuCtxCreate_v2, 3020, 11039, (CUcontext * ctx, unsigned int flags, CUdevice dev), (ctx, flags, dev))        \
  X(cuCtxCreate_v3, 11040, 12049,                                                                               \
    (CUcontext * ctx, CUexecAffinityParam * affinity, int naffinity, unsigned int flags, CUdevice dev),         \
    (ctx, affinity, naffinity, flags, dev))                                                                     \
  X(cuCtxCreate_v4, 12050, 0, (CUcontext * ctx, CUctxCreateParams * cparams, unsigned int flags, CUdevice dev), \
    (ctx, cparams, flags, dev))                                                                                 \
  X(cuCtxDestroy_v2, 4000, 0, (CUcontext ctx), (ctx))                                                           \
  X(cuGraphAddMemAllocNode, 11040, 0,                                                                           \
    (CUgraphNode * node, CUgraph graph, const CUgraphNode *deps, size_t ndeps,                                  \
     CUDA_MEM_ALLOC_NODE_PARAMS *nparams),                                                                      \
    (node, graph, deps, ndeps, nparams))                                                                        \
  X(cuGraphInstantiate_v2, 11000, 11999,                                                                        \
    (CUgraphExec * exec, CUgraph graph, CUgraphNode * err_node, char *log, size_t log_size),                    \
    (exec, graph, err_node, log, log_size))                                                                     \
  X(cuGraphInstantiateWithFlags, 11040, 0, (CUgraphExec * exec, CUgraph graph, unsigned long long flags),       \
    (exec, graph, flags))                                                                                       \
  X(cuGraphInstantiateWithParams, 12000, 0,                                                                     \
    (CUgraphExec * exec, CUgraph graph, CUDA_GRAPH_INSTANTIATE_PARAMS * iparams), (exec, graph, iparams))       \
  X(cuGraphInstantiateWithParams_ptsz, 12000, 0,                                                                \
    (CUgraphExec * exec, CUgraph graph, CUDA_GRAPH_INSTANTIATE_PARAMS * iparams), (exec, graph, iparams))       \
  X(cuGraphExecDestroy, 10000, 0, (CUgraphExec exec), (exec))

/* NVML entries: X(name, parameter list, argument list). */
#define VGPU_NVML_HOOKS(X)                                                                                       \
  X(nvmlDeviceGetMemoryInfo, (nvmlDevice_t device, nvmlMemory_t * memory), (device, memory))                    \
  X(nvmlDeviceGetMemoryInfo_v2, (nvmlDevice_t device, nvmlMemory_v2_t * memory), (device, memory))

/* Driver functions libvgpu calls but does not hook: X(name, parameter list, argument list). */
#define VGPU_CUDA_REAL_ONLY(X)                                                                                   \
  X(cuCtxGetDevice, (CUdevice * dev), (dev))                                                                    \
  X(cuDeviceGetAttribute, (int *value, int attrib, CUdevice dev), (value, attrib, dev))                         \
  X(cuGraphGetNodes, (CUgraph graph, CUgraphNode * nodes, size_t * n), (graph, nodes, n))                       \
  X(cuGraphNodeGetType, (CUgraphNode node, int *type), (node, type))                                            \
  X(cuGraphMemAllocNodeGetParams, (CUgraphNode node, CUDA_MEM_ALLOC_NODE_PARAMS * p), (node, p))                \
  X(cuStreamIsCapturing, (CUstream s, int *status), (s, status))

#endif
