/* NVML glue: the lazy loader, the memory-info hooks, the process list and host PID discovery. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

typedef nvmlReturn_t (*nvml_handle_fn)(unsigned int, nvmlDevice_t *);
typedef nvmlReturn_t (*nvml_procs_fn)(nvmlDevice_t, unsigned int *, void *);
static nvml_mem_fn real_nvml_mem;
static nvml_handle_fn real_nvml_handle;
static nvml_procs_fn real_nvml_procs;
static size_t proc_info_size;
static void *nvml_handle;
static nvml_mem2_fn real_nvml_mem2;
typedef nvmlReturn_t (*nvml_index_fn)(nvmlDevice_t, unsigned int *);
static nvml_index_fn real_nvml_index;

bool vgpu_nvml_ready(void) {
  if (__atomic_load_n(&nvml_handle, __ATOMIC_ACQUIRE) != NULL) return true;
  void *h = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_NOLOAD);
  if (h == NULL) h = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_NODELETE);
  if (h == NULL) return false;
  real_nvml_mem = (nvml_mem_fn)vgpu_real_dlsym(h, "nvmlDeviceGetMemoryInfo");
  real_nvml_mem2 = (nvml_mem2_fn)vgpu_real_dlsym(h, "nvmlDeviceGetMemoryInfo_v2");
  real_nvml_index = (nvml_index_fn)vgpu_real_dlsym(h, "nvmlDeviceGetIndex");
  real_nvml_handle = (nvml_handle_fn)vgpu_real_dlsym(h, "nvmlDeviceGetHandleByIndex_v2");
  static const char *const procs[] = {"nvmlDeviceGetComputeRunningProcesses_v3",
                                      "nvmlDeviceGetComputeRunningProcesses_v2",
                                      "nvmlDeviceGetComputeRunningProcesses"};
  for (size_t i = 0; i < 3 && real_nvml_procs == NULL; i++) {
    real_nvml_procs = (nvml_procs_fn)vgpu_real_dlsym(h, procs[i]);
    proc_info_size = i < 2 ? 24 : 16; /* nvmlProcessInfo_t (pid, usedGpuMemory, gpu/compute instance) vs _v1_t */
  }
  typedef nvmlReturn_t (*nvml_init_fn)(void);
  nvml_init_fn init = (nvml_init_fn)vgpu_real_dlsym(h, "nvmlInit_v2");
  if (init != NULL) (void)init(); /* reference-counted in NVML; needed before handle lookups */
  __atomic_store_n(&nvml_handle, h, __ATOMIC_RELEASE);
  return true;
}

static int nvml_index(nvmlDevice_t d) {
  unsigned int i;
  if (real_nvml_index == NULL || real_nvml_index(d, &i) != NVML_SUCCESS) return -1;
  return (int)i;
}

VGPU_EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory) {
  if (!vgpu_nvml_ready() || real_nvml_mem == NULL) return NVML_ERROR_LIBRARY_NOT_FOUND;
  nvmlReturn_t rc = real_nvml_mem(device, memory);
  if (rc != NVML_SUCCESS || memory == NULL || !vgpu_core_ready()) return rc;
  int idx = nvml_index(device);
  uint64_t used = vgpu_region_used(&vgpu_g.shm, idx);
  vgpu_meminfo m = vgpu_virtual_meminfo(vgpu_mem_limit(&vgpu_g, idx), used, memory->total, memory->free);
  if (vgpu_mem_limit(&vgpu_g, idx) != 0) {
    memory->total = m.total;
    memory->used = vgpu_min_u64(used, m.total);
    memory->free = vgpu_sat_sub(m.total, memory->used);
  }
  return rc;
}

VGPU_EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t *memory) {
  if (!vgpu_nvml_ready() || real_nvml_mem2 == NULL) return NVML_ERROR_LIBRARY_NOT_FOUND;
  nvmlReturn_t rc = real_nvml_mem2(device, memory);
  if (rc != NVML_SUCCESS || memory == NULL || !vgpu_core_ready()) return rc;
  int idx = nvml_index(device);
  uint64_t used = vgpu_region_used(&vgpu_g.shm, idx);
  if (vgpu_mem_limit(&vgpu_g, idx) != 0) {
    vgpu_meminfo m = vgpu_virtual_meminfo(vgpu_mem_limit(&vgpu_g, idx), used, memory->total, memory->free);
    memory->total = m.total;
    memory->reserved = 0;
    memory->used = vgpu_min_u64(used, m.total);
    memory->free = vgpu_sat_sub(m.total, memory->used);
  }
  return rc;
}

uint64_t vgpu_nvml_used(int dev) {
  nvmlDevice_t h;
  nvmlMemory_t m;
  if (dev < 0 || !vgpu_nvml_ready() || real_nvml_handle == NULL || real_nvml_mem == NULL) return UINT64_MAX;
  if (real_nvml_handle((unsigned)dev, &h) != NVML_SUCCESS || real_nvml_mem(h, &m) != NVML_SUCCESS) return UINT64_MAX;
  return m.used;
}

/* PIDs (node namespace) of the processes with a context on dev, or -1. */
static int nvml_pids(int dev, uint32_t *pids, int max) {
  nvmlDevice_t h;
  if (dev < 0 || !vgpu_nvml_ready() || real_nvml_handle == NULL || real_nvml_procs == NULL ||
      real_nvml_handle((unsigned)dev, &h) != NVML_SUCCESS)
    return -1;
  static __thread unsigned char buf[256 * 24];
  unsigned int n = (unsigned int)(sizeof buf / proc_info_size);
  if ((int)n > max) n = (unsigned int)max;
  if (real_nvml_procs(h, &n, buf) != NVML_SUCCESS) return -1;
  for (unsigned int i = 0; i < n; i++) memcpy(&pids[i], buf + i * proc_info_size, sizeof pids[i]);
  return (int)n;
}

/*
 * Host PID discovery. The container cannot see its processes' PIDs in the node's namespace, which is what NVML
 * reports (and what a node monitor needs to attribute usage to a pod). Across this process's first context
 * creation, the PID that appears in the device's process list is ours; discoveries of one container are
 * serialised by an fcntl lock on a byte past the region's end (released by the kernel if the holder dies), and
 * a PID another slot already claimed, or two new PIDs at once (another container at the same moment), records
 * nothing rather than a wrong PID. Retried at the next context creation until found.
 */
static int32_t host_pid_found;

void vgpu_hostpid_after_fork(void) { host_pid_found = 0; }

static void discovery_lock(short type) {
  if (vgpu_g.shm.fd < 0) return;
  struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = (off_t)sizeof(vgpu_region), .l_len = 1};
  while (fcntl(vgpu_g.shm.fd, type == F_UNLCK ? F_SETLK : F_SETLKW, &fl) != 0 && type != F_UNLCK) {
  }
}

void vgpu_hostpid_begin(vgpu_hostpid_probe *p, int dev) {
  p->dev = -1;
  if (__atomic_load_n(&host_pid_found, __ATOMIC_ACQUIRE) != 0 || dev < 0 || vgpu_g.shm.r == NULL ||
      vgpu_g.shm.slot < 0 || !vgpu_nvml_ready() || real_nvml_procs == NULL)
    return;
  discovery_lock(F_WRLCK);
  p->nbefore = nvml_pids(dev, p->before, 256);
  if (p->nbefore < 0) {
    discovery_lock(F_UNLCK);
    return;
  }
  p->dev = dev;
}

void vgpu_hostpid_end(vgpu_hostpid_probe *p, bool created) {
  if (p->dev < 0) return;
  uint32_t after[256];
  int nafter = created ? nvml_pids(p->dev, after, 256) : -1;
  int32_t claimed[256];
  int nclaimed = nafter >= 0 ? vgpu_region_host_pids(&vgpu_g.shm, claimed, 256) : 0;
  int32_t pid = nafter >= 0 ? vgpu_hostpid_pick(p->before, p->nbefore, after, nafter, claimed, nclaimed) : 0;
  if (pid != 0) {
    vgpu_region_set_host_pid(&vgpu_g.shm, pid);
    __atomic_store_n(&host_pid_found, pid, __ATOMIC_RELEASE);
    VGPU_INFO("host PID %d (container PID %d) found through NVML on device %d", pid, (int)getpid(), p->dev);
  } else if (nafter >= 0) {
    VGPU_INFO("host PID not found on device %d (no single new process in NVML's list); retried at the next context",
              p->dev);
  }
  discovery_lock(F_UNLCK);
}
