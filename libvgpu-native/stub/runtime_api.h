/*
 * The runtime entry points the tests and tools call, declared once: every hooked CUDA, NVML, ACL and rt* function
 * from the one hook list (src/hook_lists.h), the others they call, and the stub runtimes' own helpers. Programs
 * including this link against the stubs and run with or without LD_PRELOAD=libvgpu.so.
 */
#ifndef STUB_RUNTIME_API_H
#define STUB_RUNTIME_API_H

#include <stdint.h>

#include "../src/hook_lists.h"

#define STUB_API_CUDA(name, since, until, params, args) CUresult name params;
#define STUB_API_CUDA_REAL(name, params, args) CUresult name params;
#define STUB_API_NVML(name, params, args) nvmlReturn_t name params;
#define STUB_API_NPU(name, params, args) int name params;
VGPU_CUDA_HOOKS(STUB_API_CUDA)
VGPU_CUDA_REAL_ONLY(STUB_API_CUDA_REAL)
VGPU_NVML_HOOKS(STUB_API_NVML)
VGPU_ACL_HOOKS(STUB_API_NPU)
VGPU_RT_HOOKS(STUB_API_NPU)
VGPU_NPU_REAL_ONLY(STUB_API_NPU)
#undef STUB_API_CUDA
#undef STUB_API_CUDA_REAL
#undef STUB_API_NVML
#undef STUB_API_NPU

/* not hooked */
CUresult cuCtxSetCurrent(CUcontext ctx);
CUresult cuCtxSynchronize(void);
CUresult cuStreamBeginCapture_v2(CUstream s, int mode);
CUresult cuStreamEndCapture(CUstream s, CUgraph *g);
CUresult cuGraphCreate(CUgraph *g, unsigned int flags);
CUresult cuGraphDestroy(CUgraph g);
CUresult cuGraphAddEmptyNode(CUgraphNode *node, CUgraph g, const CUgraphNode *deps, size_t ndeps);
nvmlReturn_t nvmlInit_v2(void);
nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device);
aclError aclrtSetDevice(int32_t dev);
aclError aclmdlLoadFromMem(const void *model, size_t size, uint32_t *model_id);
aclError aclmdlUnload(uint32_t model_id);

/* the stub CUDA driver's helpers */
const char *stub_cuda_last_call(void);
unsigned long long stub_cuda_frees(void);
unsigned long long stub_cuda_used(int dev);
unsigned long long stub_cuda_shared_peak(void);
CUresult stub_cuda_alloc_untracked(unsigned long long *out, unsigned long long size);
uint64_t stub_cuda_busy_ns(int32_t pid);
int stub_host_pid(void);
/* the stub Ascend runtime's helpers */
unsigned long long stub_npu_used(int dev);
unsigned long long stub_npu_frees(void);
unsigned long long stub_npu_shared_peak(void);
uint64_t stub_npu_launches(void);
uint64_t stub_npu_busy_ns(int32_t pid);
rtError_t stub_rt_alloc_untracked(void **p, uint64_t size);

#endif
