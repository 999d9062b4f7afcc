/*
 * Stub libnvidia-ml.so.1: the same devices as the stub driver (STUB_CUDA_DEVICES, STUB_CUDA_TOTAL_MEM),
 * memory "used" read from the stub driver when it is loaded, and scripted utilisation:
 * STUB_NVML_UTIL="90" or a comma list cycled per query, reported both device-wide and as a
 * per-process sample for the calling process.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../src/cuda_abi.h"

#define EXPORT __attribute__((visibility("default")))

static int ndev(void) {
  const char *d = getenv("STUB_CUDA_DEVICES");
  int n = d ? atoi(d) : 2;
  return n < 1 ? 1 : n > 16 ? 16 : n;
}
static unsigned long long total(void) {
  const char *s = getenv("STUB_CUDA_TOTAL_MEM");
  if (s == NULL || *s == '\0') return 80ULL << 30;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (*end == 'k' || *end == 'K') v <<= 10;
  if (*end == 'm' || *end == 'M') v <<= 20;
  if (*end == 'g' || *end == 'G') v <<= 30;
  return v;
}
static unsigned long long used_by_driver(int dev) {
  typedef unsigned long long (*fn)(int);
  fn f = (fn)dlsym(RTLD_DEFAULT, "stub_cuda_used");
  return f ? f(dev) : 0;
}
static unsigned script_util(void) {
  static unsigned calls;
  const char *s = getenv("STUB_NVML_UTIL");
  if (s == NULL || *s == '\0') return 0;
  unsigned n = 1;
  for (const char *p = s; *p; p++) n += *p == ',';
  unsigned k = __atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED) % n;
  const char *p = s;
  while (k-- > 0) p = strchr(p, ',') + 1;
  return (unsigned)atoi(p);
}
static int host_pid(void) {
  typedef int (*fn)(void);
  fn f = (fn)dlsym(RTLD_DEFAULT, "stub_host_pid");
  return f ? f() : (int)getpid();
}
static nvmlDevice_t handle(int i) { return (nvmlDevice_t)(uintptr_t)(0x100 + i); }
static int index_of(nvmlDevice_t d) {
  int i = (int)((uintptr_t)d - 0x100);
  return i >= 0 && i < ndev() ? i : -1;
}

EXPORT nvmlReturn_t nvmlInit_v2(void) { return NVML_SUCCESS; }
EXPORT nvmlReturn_t nvmlInit(void) { return NVML_SUCCESS; }
EXPORT nvmlReturn_t nvmlShutdown(void) { return NVML_SUCCESS; }
EXPORT nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *n) {
  *n = (unsigned)ndev();
  return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int i, nvmlDevice_t *d) {
  if ((int)i >= ndev()) return NVML_ERROR_INVALID_ARGUMENT;
  *d = handle((int)i);
  return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetIndex(nvmlDevice_t d, unsigned int *i) {
  int k = index_of(d);
  if (k < 0) return NVML_ERROR_INVALID_ARGUMENT;
  *i = (unsigned)k;
  return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t d, char *uuid, unsigned int len) {
  int k = index_of(d);
  if (k < 0) return NVML_ERROR_INVALID_ARGUMENT;
  snprintf(uuid, len, "GPU-00000000-0000-0000-0000-00000000000%d", k);
  return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *m) {
  int k = index_of(d);
  if (k < 0) return NVML_ERROR_INVALID_ARGUMENT;
  m->total = total();
  m->used = used_by_driver(k);
  m->free = m->total - m->used;
  return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t d, nvmlMemory_v2_t *m) {
  int k = index_of(d);
  if (k < 0) return NVML_ERROR_INVALID_ARGUMENT;
  m->total = total();
  m->reserved = 0;
  m->used = used_by_driver(k);
  m->free = m->total - m->used;
  return NVML_SUCCESS;
}
/* With STUB_CUDA_KERNEL_NS the stub driver runs kernels on a simulated card: utilisation is measured there, over
 * the last 200 ms (about one NVML sample period), device-wide and per process. */
#define SIM_WINDOW_NS 200000000ULL
typedef unsigned (*sim_util_fn)(int32_t, uint64_t);
typedef int (*sim_active_fn)(int32_t *, int);
static sim_util_fn sim_util(void) {
  const char *k = getenv("STUB_CUDA_KERNEL_NS");
  return k != NULL && *k && strcmp(k, "0") != 0 ? (sim_util_fn)dlsym(RTLD_DEFAULT, "stub_cuda_sim_util") : NULL;
}

EXPORT nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t *u) {
  if (index_of(d) < 0) return NVML_ERROR_INVALID_ARGUMENT;
  sim_util_fn sim = sim_util();
  u->gpu = sim != NULL ? sim(0, SIM_WINDOW_NS) : script_util();
  u->memory = 0;
  return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetProcessUtilization(nvmlDevice_t d, nvmlProcessUtilizationSample_t *s,
                                                    unsigned int *n, unsigned long long since) {
  (void)since;
  if (index_of(d) < 0) return NVML_ERROR_INVALID_ARGUMENT;
  if (s == NULL || *n < 1) {
    *n = 1;
    return NVML_ERROR_INSUFFICIENT_SIZE;
  }
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  sim_util_fn sim = sim_util();
  sim_active_fn active = (sim_active_fn)dlsym(RTLD_DEFAULT, "stub_cuda_sim_active");
  if (sim != NULL && active != NULL) { /* every process on the simulated card */
    int32_t pids[64];
    int k = active(pids, 64);
    unsigned m = 0;
    for (int i = 0; i < k && m < *n; i++) {
      s[m].pid = (unsigned)pids[i];
      s[m].timeStamp = (unsigned long long)ts.tv_sec * 1000000ULL;
      s[m].smUtil = sim(pids[i], SIM_WINDOW_NS);
      s[m].memUtil = s[m].encUtil = s[m].decUtil = 0;
      m++;
    }
    *n = m;
    return NVML_SUCCESS;
  }
  s[0].pid = (unsigned)host_pid(); /* NVML reports PIDs of the node's namespace */
  s[0].timeStamp = (unsigned long long)ts.tv_sec * 1000000ULL;
  s[0].smUtil = script_util();
  s[0].memUtil = s[0].encUtil = s[0].decUtil = 0;
  *n = 1;
  return NVML_SUCCESS;
}

/* nvmlProcessInfo_t (v2/v3 entry points): pid, usedGpuMemory, gpuInstanceId, computeInstanceId. */
typedef struct {
  unsigned int pid;
  unsigned long long usedGpuMemory;
  unsigned int gpuInstanceId, computeInstanceId;
} stub_proc_info;

static nvmlReturn_t running(nvmlDevice_t d, unsigned int *count, stub_proc_info *infos) {
  int k = index_of(d);
  if (k < 0 || count == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  typedef int (*fn)(int, unsigned *, int);
  fn f = (fn)dlsym(RTLD_DEFAULT, "stub_cuda_procs");
  unsigned pids[64];
  int n = f ? f(k, pids, 64) : 0;
  if (infos == NULL || *count < (unsigned)n) {
    *count = (unsigned)n;
    return n == 0 ? NVML_SUCCESS : NVML_ERROR_INSUFFICIENT_SIZE;
  }
  for (int i = 0; i < n; i++) {
    infos[i].pid = pids[i];
    infos[i].usedGpuMemory = 0;
    infos[i].gpuInstanceId = infos[i].computeInstanceId = 0xffffffffu;
  }
  *count = (unsigned)n;
  return NVML_SUCCESS;
}
EXPORT nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned int *count, stub_proc_info *infos) {
  return running(d, count, infos);
}
EXPORT nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v2(nvmlDevice_t d, unsigned int *count, stub_proc_info *infos) {
  return running(d, count, infos);
}
