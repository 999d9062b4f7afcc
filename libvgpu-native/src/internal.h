/* Internal declarations of libvgpu.so (edge code: CUDA/NVML glue around the policy core). */
#ifndef VGPU_INTERNAL_H
#define VGPU_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cuda_abi.h"
#include "hook_lists.h"
#include "vgpu/core.h"
#include "vgpu/limits_file.h"
#include "vgpu/region.h"
#include "vgpu/track.h"

#define VGPU_EXPORT __attribute__((visibility("default")))

#define VGPU_DECLARE_FN(name, since, until, params, args) typedef CUresult(*name##_fn) params;
#define VGPU_DECLARE_REAL_FN(name, params, args) typedef CUresult(*name##_fn) params;
VGPU_CUDA_HOOKS(VGPU_DECLARE_FN)
VGPU_CUDA_REAL_ONLY(VGPU_DECLARE_REAL_FN)
#define VGPU_PROTO(name, since, until, params, args) VGPU_EXPORT CUresult name params;
VGPU_CUDA_HOOKS(VGPU_PROTO)
#undef VGPU_PROTO
#define VGPU_NVML_PROTO(name, params, args) VGPU_EXPORT nvmlReturn_t name params;
VGPU_NVML_HOOKS(VGPU_NVML_PROTO)
#undef VGPU_NVML_PROTO
/* Ascend: aclError and rtError_t are both int. */
#define VGPU_NPU_PROTO(name, params, args) \
  typedef int(*name##_fn) params;          \
  VGPU_EXPORT int name params;
#define VGPU_NPU_REAL_FN(name, params, args) typedef int(*name##_fn) params;
VGPU_ACL_HOOKS(VGPU_NPU_PROTO)
VGPU_RT_HOOKS(VGPU_NPU_PROTO)
VGPU_NPU_REAL_ONLY(VGPU_NPU_REAL_FN)
#undef VGPU_NPU_PROTO
#undef VGPU_NPU_REAL_FN

typedef struct {
#define VGPU_MEMBER(name, since, until, params, args) name##_fn name;
#define VGPU_REAL_MEMBER(name, params, args) name##_fn name;
  VGPU_CUDA_HOOKS(VGPU_MEMBER)
  VGPU_CUDA_REAL_ONLY(VGPU_REAL_MEMBER)
#undef VGPU_MEMBER
#undef VGPU_REAL_MEMBER
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
typedef void *(*vgpu_dlsym_fn)(void *, const char *);
/* glibc's dlsym (NULL if it cannot be found); the override forwards to it. */
vgpu_dlsym_fn vgpu_glibc_dlsym(void);
void *vgpu_real_dlsym(void *handle, const char *name);
/* Our hook for an exported CUDA/NVML name, or NULL. */
void *vgpu_hook_by_name(const char *name);

/* One front end (CUDA, Ascend): its configuration and the container's accounting region. */
typedef struct {
  const char *name;          /* for log lines */
  const vgpu_env_names *env; /* the environment variables it reads */
  vgpu_limits_kind kind;     /* the limits file applies when its kind matches */
  vgpu_config cfg;           /* effective: limits file, environment, the region's written-once limits */
  vgpu_shm shm;
  int state;                 /* 0 not initialised, 1 ready, -1 unusable (pass-through) */
  bool throttle_any;         /* some device has a core limit and the policy is not disable */
} vgpu_front;
extern vgpu_front vgpu_g;   /* CUDA */
extern vgpu_front vgpu_npu; /* Ascend */

/* A front end's memory limit on a device (0 = none). */
static inline uint64_t vgpu_mem_limit(const vgpu_front *fe, int dev) {
  return dev >= 0 && dev < VGPU_MAX_DEVICES ? fe->cfg.mem_limit[dev] : 0;
}

/* ---- accounting steps of every allocation hook (ledger.c) ---- */
/* Charges size on dev before the runtime allocates; false (logged) when it would pass the limit. */
bool vgpu_reserve(vgpu_front *fe, int dev, uint64_t size);
void vgpu_unreserve(vgpu_front *fe, int dev, uint64_t size);
/* Remembers a charged allocation by key (pointer or handle). */
void vgpu_remember(vgpu_front *fe, vgpu_kind kind, uint64_t key, int dev, uint64_t size);
bool vgpu_forget(vgpu_kind kind, uint64_t key, int *dev, uint64_t *size);
/* After a free reached the runtime: the memory returns if it succeeded, stays remembered otherwise. */
void vgpu_settle_free(vgpu_front *fe, bool tracked, bool ok, vgpu_kind kind, uint64_t key, int dev, uint64_t size);

/* ---- NVML (nvml.c) ---- */
/* Loads libnvidia-ml lazily (never the driver); false without it. */
bool vgpu_nvml_ready(void);
/* Device memory in use as NVML sees it (whole device), or UINT64_MAX when unknown. */
uint64_t vgpu_nvml_used(int dev);
/* Host PID discovery around one context creation (see vgpu_hostpid_pick). */
typedef struct {
  int dev; /* -1: nothing to do */
  int nbefore;
  uint32_t before[256];
} vgpu_hostpid_probe;
void vgpu_hostpid_begin(vgpu_hostpid_probe *p, int dev);
void vgpu_hostpid_end(vgpu_hostpid_probe *p, bool created);
void vgpu_hostpid_after_fork(void);

/* Configuration + shared region of a front end (lazily, without touching the vendor runtime). */
bool vgpu_front_ready(vgpu_front *fe);
/* Loads the real driver table (lazily); false when the driver is absent or we are re-entering. */
bool vgpu_cuda_ready(void);
/* The CUDA front end's configuration + shared region. */
static inline bool vgpu_core_ready(void) {
  extern bool vgpu_front_ready(vgpu_front * fe);
  return __builtin_expect(__atomic_load_n(&vgpu_g.state, __ATOMIC_ACQUIRE) == 1, 1) || vgpu_front_ready(&vgpu_g);
}
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
/* ---- Ascend compute share (limiter.c) ---- */
/* Before a kernel/model launch on dev: waits for the container's turn on the card. True when metered. */
bool vgpu_npu_turn_begin(int dev);
/* After that launch returned. */
void vgpu_npu_turn_end(int dev);
/* Waits until the process's queued device work has finished (the drain at the end of a turn). */
void vgpu_npu_drain(void);

/* Forgets the watcher thread in a forked child (it does not survive fork). */
void vgpu_throttle_after_fork(void);

#endif
