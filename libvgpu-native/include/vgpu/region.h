/*
 * The shared accounting region: one file per container (CUDA_DEVICE_MEMORY_SHARED_CACHE),
 * mmap'd by every process of the container. Versioned header with magic and size,
 * limits written once, per-process slots, a robust process-shared mutex (a holder
 * killed with SIGKILL does not block anyone), and dead-slot reclamation.
 * No CUDA types: unit-tested directly (tests/test_region.c).
 */
#ifndef VGPU_REGION_H
#define VGPU_REGION_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vgpu/core.h"

#define VGPU_REGION_MAGIC 0x3152485355504756ULL /* "VGPUSHR1" */
#define VGPU_REGION_MAJOR 2u /* 2.0: slots carry the host PID */
#define VGPU_REGION_MINOR 0u
#define VGPU_MAX_SLOTS 1024

typedef struct {
  int32_t pid; /* 0 = free; as seen in the container's PID namespace */
  int32_t priority;
  uint64_t start_time; /* /proc/<pid>/stat starttime: a reused PID is not mistaken for the owner */
  uint64_t used[VGPU_MAX_DEVICES];
  int32_t host_pid; /* the same process in the node's PID namespace (0 = not discovered): what NVML reports */
  int32_t reserved0;
} vgpu_slot;

typedef struct {
  uint64_t magic; /* written last, once the rest is initialised */
  uint32_t major;
  uint32_t minor;
  uint64_t size; /* sizeof(vgpu_region) of the writer */
  uint32_t max_devices;
  uint32_t max_slots;
  uint32_t limits_set; /* 1 once the limits were written (once) */
  int32_t priority;
  uint64_t mem_limit[VGPU_MAX_DEVICES];
  uint32_t sm_limit[VGPU_MAX_DEVICES];
  int32_t utilization_switch; /* default policy throttles while != 0 (a node monitor may clear it) */
  int32_t block_launches;     /* > 0: launches wait (priority preemption by a node monitor) */
  uint64_t last_kernel_time;  /* epoch seconds */
  uint64_t total_used[VGPU_MAX_DEVICES]; /* sum of slots[*].used, kept under the lock */
  uint32_t slot_high;                    /* slots[0, slot_high) may be in use */
  uint32_t reserved0;
  union {
    pthread_mutex_t lock;   /* robust, process-shared */
    uint8_t lock_bytes[64]; /* the same layout on x86-64 (40-byte mutex) and arm64 (48) */
  };
  uint8_t reserved[64];
  vgpu_slot slots[VGPU_MAX_SLOTS];
} vgpu_region;

/* The layout is an ABI shared by every process of a container and by node tools: pinned here. */
_Static_assert(sizeof(vgpu_slot) == 152, "vgpu_slot layout changed: bump VGPU_REGION_MAJOR");
_Static_assert(offsetof(vgpu_slot, host_pid) == 144, "vgpu_slot layout changed: bump VGPU_REGION_MAJOR");
_Static_assert(offsetof(vgpu_region, lock) == 384, "vgpu_region header layout changed: bump VGPU_REGION_MAJOR");
_Static_assert(offsetof(vgpu_region, slots) == 512, "vgpu_region header layout changed: bump VGPU_REGION_MAJOR");
_Static_assert(sizeof(vgpu_region) == 512 + 152 * VGPU_MAX_SLOTS, "vgpu_region layout changed: bump VGPU_REGION_MAJOR");

typedef struct {
  vgpu_region *r;
  int fd;        /* -1 for a private region */
  int slot;      /* own slot index, -1 when not registered */
  pid_t pid;     /* pid the slot was registered for */
  bool is_private;
} vgpu_shm;

/* Outcome of vgpu_region_open. */
typedef enum {
  VGPU_REGION_OK = 0,
  VGPU_REGION_IO_ERROR = 1,   /* cannot open/lock/map the file */
  VGPU_REGION_BAD_MAGIC = 2,  /* not a libvgpu region (corrupt or foreign file) */
  VGPU_REGION_BAD_VERSION = 3,/* a libvgpu region of another version or layout */
  VGPU_REGION_TRUNCATED = 4,  /* shorter than its header says */
} vgpu_region_status;

/* Initialises a robust, process-shared mutex (a holder killed inside leaves EOWNERDEAD to the next locker). */
void vgpu_shared_mutex_init(pthread_mutex_t *m);

/* Opens or creates the region at path. On failure writes a full sentence to err. */
vgpu_region_status vgpu_region_open(vgpu_shm *h, const char *path, char *err, size_t errlen);
/* A process-private region (fallback when the file is refused): limits still apply to this process. */
int vgpu_region_open_private(vgpu_shm *h);
void vgpu_region_close(vgpu_shm *h);

/* Takes the robust lock; recovers (and reclaims dead slots) when the previous holder died. */
void vgpu_region_lock(vgpu_shm *h);
void vgpu_region_unlock(vgpu_shm *h);

/* Registers pid in a slot (reusing a dead one). Returns 0, or -1 when all slots are in use. */
int vgpu_region_register(vgpu_shm *h, pid_t pid, int32_t priority);
/* Frees the own slot and returns its memory. */
void vgpu_region_unregister(vgpu_shm *h);

/*
 * Limits are written once: the first process whose configuration has limits writes
 * them; afterwards the region's limits win (a mismatch is reported). A process without
 * limits in its env never writes (so an env-less first process does not disable
 * limits for everyone). eff receives the effective limits.
 */
void vgpu_region_apply_limits(vgpu_shm *h, const vgpu_config *cfg, vgpu_config *eff, vgpu_report_fn report,
                              void *report_ctx);

/* Charges size bytes on dev to the own slot if the container stays within limit (0 = none).
 * Returns 0, or -1 (OOM) with nothing charged. Dead slots are reclaimed before giving up. */
int vgpu_region_try_charge(vgpu_shm *h, int dev, uint64_t size, uint64_t limit);
void vgpu_region_uncharge(vgpu_shm *h, int dev, uint64_t size);
uint64_t vgpu_region_used(vgpu_shm *h, int dev);

/* Records the host PID of the own slot. */
void vgpu_region_set_host_pid(vgpu_shm *h, int32_t host_pid);
/* Host PIDs already recorded by live slots other than the own one; returns how many were written (<= max). */
int vgpu_region_host_pids(vgpu_shm *h, int32_t *out, int max);

/*
 * Host PID discovery: the one PID that appeared in the device's process list (as NVML reports it, in the node's
 * PID namespace) across this process's context creation and is not already claimed by another slot of the
 * container. 0 when none or more than one qualifies (another container created a context at the same moment):
 * then nothing is recorded rather than a wrong PID.
 */
int32_t vgpu_hostpid_pick(const uint32_t *before, int nbefore, const uint32_t *after, int nafter,
                          const int32_t *claimed, int nclaimed);

/* Under the lock: frees slots of dead processes. Returns how many. */
int vgpu_region_reclaim_dead_locked(vgpu_shm *h);
/* Liveness as seen from this PID namespace (missing, zombie or reused PID = dead). */
bool vgpu_pid_alive(int32_t pid, uint64_t start_time);
uint64_t vgpu_pid_start_time(int32_t pid);

#endif
