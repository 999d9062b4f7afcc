/*
 * The few Ascend CANN types and codes libvgpu needs (no CANN headers at build time), written from the public ACL
 * and runtime (RTS) API documentation. Shared with the stub runtime (stub/stub_ascend.c).
 */
#ifndef VGPU_NPU_ABI_H
#define VGPU_NPU_ABI_H

#include <stddef.h>
#include <stdint.h>

typedef int aclError;
typedef int32_t rtError_t;
typedef void *aclrtStream;
typedef void *rtStream_t;
typedef void *aclrtDrvMemHandle;
typedef void *rtDrvMemHandle;
typedef void *aclrtFuncHandle;
typedef void *rtModel_t;
typedef struct aclmdlDataset aclmdlDataset;
typedef void rtSmDesc_t;           /* only passed through */
typedef void rtArgsEx_t;           /* only passed through */
typedef void rtAicpuArgsEx_t;      /* only passed through */
typedef void rtTaskCfgInfo_t;      /* only passed through */
typedef void rtKernelLaunchNames_t; /* only passed through */

#define ACL_SUCCESS 0
#define RT_ERROR_NONE 0
/* Device memory allocation failure: the runtime's own out-of-memory code, returned by ACL and rt* alike. */
#define ACL_ERROR_RT_MEMORY_ALLOCATION 207001
#define ACL_ERROR_INVALID_PARAM 100000
#define ACL_ERROR_RT_CONTEXT_NULL 107002

/* aclrtPhysicalMemProp (aclrtMallocPhysical): the allocation's location. */
#define ACL_MEM_LOCATION_TYPE_HOST 0
#define ACL_MEM_LOCATION_TYPE_DEVICE 1
typedef struct {
  uint32_t id;
  int type;
} aclrtMemLocation;
typedef struct {
  int handleType;
  int allocationType;
  int memAttr;
  aclrtMemLocation location;
  uint64_t reserve;
} aclrtPhysicalMemProp;

/* rtDrvMemProp_t (rtMallocPhysical): side 0 is host memory, anything else device memory of devid. */
#define RT_MEM_HOST_SIDE 0u
typedef struct {
  uint32_t side;
  uint32_t devid;
  uint32_t module_id;
  uint32_t pg_type;
  uint32_t mem_type;
  uint64_t reserve;
} rtDrvMemProp_t;

#endif
