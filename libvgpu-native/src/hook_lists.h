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
#include "npu_abi.h"

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

/*
 * Ascend, both surfaces a CANN stack calls: ACL (libascendcl.so) and the runtime beneath it (rt*, libruntime.so),
 * which ACL and the graph engine both go through. X(name, parameter list, argument list); every entry returns
 * aclError / rtError_t (both int).
 */
#define VGPU_NPU_MALLOC_PARAMS (void **dev_ptr, size_t size, int policy)
#define VGPU_NPU_MALLOC_ARGS (dev_ptr, size, policy)
#define VGPU_RT_MALLOC_PARAMS (void **dev_ptr, uint64_t size, uint32_t type, uint16_t module_id)
#define VGPU_RT_MALLOC_ARGS (dev_ptr, size, type, module_id)

#define VGPU_ACL_HOOKS(X)                                                                                        \
  X(aclrtMalloc, VGPU_NPU_MALLOC_PARAMS, VGPU_NPU_MALLOC_ARGS)                                                  \
  X(aclrtMallocCached, VGPU_NPU_MALLOC_PARAMS, VGPU_NPU_MALLOC_ARGS)                                            \
  X(aclrtMallocAlign32, VGPU_NPU_MALLOC_PARAMS, VGPU_NPU_MALLOC_ARGS)                                           \
  X(aclrtFree, (void *dev_ptr), (dev_ptr))                                                                      \
  X(aclrtMallocPhysical,                                                                                        \
    (aclrtDrvMemHandle * handle, size_t size, const aclrtPhysicalMemProp *prop, uint64_t flags),                \
    (handle, size, prop, flags))                                                                                \
  X(aclrtFreePhysical, (aclrtDrvMemHandle handle), (handle))                                                    \
  X(aclrtGetMemInfo, (int attr, size_t *free_bytes, size_t *total_bytes), (attr, free_bytes, total_bytes))     \
  X(aclrtLaunchKernel,                                                                                          \
    (aclrtFuncHandle fn, uint32_t block_dim, const void *args, size_t args_size, aclrtStream stream),            \
    (fn, block_dim, args, args_size, stream))                                                                   \
  X(aclmdlExecute, (uint32_t model_id, const aclmdlDataset *input, aclmdlDataset *output),                      \
    (model_id, input, output))                                                                                  \
  X(aclmdlExecuteAsync,                                                                                         \
    (uint32_t model_id, const aclmdlDataset *input, aclmdlDataset *output, aclrtStream stream),                 \
    (model_id, input, output, stream))

#define VGPU_RT_HOOKS(X)                                                                                         \
  X(rtMalloc, VGPU_RT_MALLOC_PARAMS, VGPU_RT_MALLOC_ARGS)                                                       \
  X(rtMallocCached, VGPU_RT_MALLOC_PARAMS, VGPU_RT_MALLOC_ARGS)                                                 \
  X(rtFree, (void *dev_ptr), (dev_ptr))                                                                         \
  X(rtMallocPhysical, (rtDrvMemHandle * handle, size_t size, rtDrvMemProp_t * prop, uint64_t flags),            \
    (handle, size, prop, flags))                                                                                \
  X(rtFreePhysical, (rtDrvMemHandle handle), (handle))                                                          \
  X(rtMemGetInfoEx, (int type, size_t *free_bytes, size_t *total_bytes), (type, free_bytes, total_bytes))       \
  X(rtMemGetInfo, (size_t *free_bytes, size_t *total_bytes), (free_bytes, total_bytes))                         \
  X(rtKernelLaunch,                                                                                             \
    (const void *stub_fn, uint32_t block_dim, void *args, uint32_t args_size, rtSmDesc_t *sm, rtStream_t stm),  \
    (stub_fn, block_dim, args, args_size, sm, stm))                                                             \
  X(rtKernelLaunchWithFlagV2,                                                                                   \
    (const void *stub_fn, uint32_t block_dim, rtArgsEx_t *args, rtSmDesc_t *sm, rtStream_t stm, uint32_t flags, \
     const rtTaskCfgInfo_t *cfg),                                                                               \
    (stub_fn, block_dim, args, sm, stm, flags, cfg))                                                            \
  X(rtKernelLaunchWithHandleV2,                                                                                 \
    (void *hdl, uint64_t tiling_key, uint32_t block_dim, rtArgsEx_t *args, rtSmDesc_t *sm, rtStream_t stm,      \
     const rtTaskCfgInfo_t *cfg),                                                                               \
    (hdl, tiling_key, block_dim, args, sm, stm, cfg))                                                           \
  X(rtAicpuKernelLaunchWithFlag,                                                                                \
    (const rtKernelLaunchNames_t *names, uint32_t block_dim, const rtArgsEx_t *args, rtSmDesc_t *sm,            \
     rtStream_t stm, uint32_t flags),                                                                           \
    (names, block_dim, args, sm, stm, flags))                                                                   \
  X(rtAicpuKernelLaunchExWithArgs,                                                                              \
    (uint32_t kernel_type, const char *op_name, uint32_t block_dim, const rtAicpuArgsEx_t *args,                \
     rtSmDesc_t *sm, rtStream_t stm, uint32_t flags),                                                           \
    (kernel_type, op_name, block_dim, args, sm, stm, flags))                                                    \
  X(rtModelExecute, (rtModel_t model, rtStream_t stm, uint32_t flag), (model, stm, flag))

/* Runtime functions libvgpu calls but does not hook. */
#define VGPU_NPU_REAL_ONLY(X)                                                                                    \
  X(aclrtGetDevice, (int32_t * dev), (dev))                                                                     \
  X(aclrtSynchronizeDevice, (void), ())                                                                         \
  X(rtGetDevice, (int32_t * dev), (dev))                                                                        \
  X(rtDeviceSynchronize, (void), ())

#endif
