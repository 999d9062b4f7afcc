/* SM throttling: a per-device token bucket fed by a watcher thread that corrects the refill from NVML. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/* ---- SM throttling ---- */
typedef nvmlReturn_t (*nvml_init_fn)(void);
typedef nvmlReturn_t (*nvml_handle_fn)(unsigned int, nvmlDevice_t *);
typedef nvmlReturn_t (*nvml_putil_fn)(nvmlDevice_t, nvmlProcessUtilizationSample_t *, unsigned int *,
                                      unsigned long long);
typedef nvmlReturn_t (*nvml_util_fn)(nvmlDevice_t, nvmlUtilization_t *);

static struct {
  vgpu_bucket bucket[VGPU_MAX_DEVICES];
  int64_t tokens[VGPU_MAX_DEVICES];
  bool inited[VGPU_MAX_DEVICES];
  int started; /* watcher thread */
  pthread_mutex_t mu;
  uint64_t metered; /* launches that went through the limiter (tests) */
  uint64_t waits;   /* launches that had to wait */
} thr = {.mu = PTHREAD_MUTEX_INITIALIZER};

VGPU_EXPORT uint64_t vgpu_stat_metered_launches(void) { return __atomic_load_n(&thr.metered, __ATOMIC_RELAXED); }
VGPU_EXPORT uint64_t vgpu_stat_throttled_launches(void) { return __atomic_load_n(&thr.waits, __ATOMIC_RELAXED); }

void vgpu_throttle_after_fork(void) {
  pthread_mutex_init(&thr.mu, NULL);
  thr.started = 0; /* the watcher thread does not exist in the child */
}

static unsigned util_of(void *nvml, nvml_handle_fn get_handle, nvml_putil_fn putil, nvml_util_fn dutil, int dev,
                        bool *per_process) {
  nvmlDevice_t h;
  if (get_handle == NULL || get_handle((unsigned)dev, &h) != NVML_SUCCESS) return 0;
  (void)nvml;
  *per_process = false;
  if (putil != NULL) {
    nvmlProcessUtilizationSample_t samples[64];
    unsigned int n = 64;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long long since = (unsigned long long)(ts.tv_sec - 1) * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000;
    if (putil(h, samples, &n, since) == NVML_SUCCESS) {
      unsigned sum = 0;
      bool matched = false;
      vgpu_region *r = vgpu_g.shm.r;
      for (unsigned i = 0; i < n && i < 64; i++) {
        for (uint32_t s = 0; s < r->slot_high && s < VGPU_MAX_SLOTS; s++) {
          int32_t pid = __atomic_load_n(&r->slots[s].host_pid, __ATOMIC_ACQUIRE);
          if (pid == 0) pid = r->slots[s].pid; /* not discovered: right outside a PID namespace only */
          if (r->slots[s].pid != 0 && (unsigned)pid == samples[i].pid) {
            sum += samples[i].smUtil;
            matched = true;
            break;
          }
        }
      }
      if (matched) {
        *per_process = true;
        return sum > 100 ? 100 : sum;
      }
    }
  }
  /* container PIDs not visible to NVML: use the device's utilisation (conservative, never a silent disable) */
  nvmlUtilization_t u;
  if (dutil != NULL && dutil(h, &u) == NVML_SUCCESS) return u.gpu > 100 ? 100 : u.gpu;
  return 0;
}

static void *watcher(void *arg) {
  (void)arg;
  void *nvml = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_NODELETE);
  nvml_handle_fn get_handle = NULL;
  nvml_putil_fn putil = NULL;
  nvml_util_fn dutil = NULL;
  if (nvml != NULL) {
    nvml_init_fn init = (nvml_init_fn)vgpu_real_dlsym(nvml, "nvmlInit_v2");
    if (init != NULL && init() == NVML_SUCCESS) {
      get_handle = (nvml_handle_fn)vgpu_real_dlsym(nvml, "nvmlDeviceGetHandleByIndex_v2");
      putil = (nvml_putil_fn)vgpu_real_dlsym(nvml, "nvmlDeviceGetProcessUtilization");
      dutil = (nvml_util_fn)vgpu_real_dlsym(nvml, "nvmlDeviceGetUtilizationRates");
    }
  }
  if (get_handle == NULL)
    VGPU_WARN("NVML unavailable: SM limit enforced open-loop (refill = limit share of the pool)");
  bool logged = false;
  for (;;) {
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
    for (int d = 0; d < VGPU_MAX_DEVICES; d++) {
      if (!__atomic_load_n(&thr.inited[d], __ATOMIC_ACQUIRE)) continue;
      uint32_t limit = vgpu_g.cfg.sm_limit[d];
      if (get_handle != NULL) {
        bool per_process = false;
        unsigned u = util_of(nvml, get_handle, putil, dutil, d, &per_process);
        if (!logged) {
          VGPU_INFO("SM limit %u%% on device %d measured from %s utilisation", limit, d,
                    per_process ? "per-process" : "device-wide");
          logged = true;
        }
        pthread_mutex_lock(&thr.mu);
        vgpu_bucket_adjust(&thr.bucket[d], limit, u);
        pthread_mutex_unlock(&thr.mu);
      }
      int64_t t = __atomic_load_n(&thr.tokens[d], __ATOMIC_ACQUIRE);
      int64_t nt;
      do {
        nt = vgpu_bucket_refill(&thr.bucket[d], t);
      } while (!__atomic_compare_exchange_n(&thr.tokens[d], &t, nt, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
    }
  }
  return NULL;
}

static void throttle_init_device(int dev) {
  pthread_mutex_lock(&thr.mu);
  if (!thr.inited[dev]) {
    int sms = 0;
    if (vgpu_real.cuDeviceGetAttribute == NULL ||
        vgpu_real.cuDeviceGetAttribute(&sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev) != CUDA_SUCCESS)
      sms = 1;
    vgpu_bucket_init(&thr.bucket[dev], (uint32_t)sms, vgpu_g.cfg.sm_limit[dev]);
    __atomic_store_n(&thr.tokens[dev], thr.bucket[dev].share, __ATOMIC_RELEASE);
    __atomic_store_n(&thr.inited[dev], true, __ATOMIC_RELEASE);
  }
  if (!thr.started) {
    pthread_t t;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &a, watcher, NULL) == 0) thr.started = 1;
    else VGPU_ERROR("cannot start the SM utilisation watcher: %s", strerror(errno));
    pthread_attr_destroy(&a);
  }
  pthread_mutex_unlock(&thr.mu);
}

void vgpu_rate_limit(unsigned int gx, unsigned int gy, unsigned int gz) {
  int dev = vgpu_current_device();
  if (dev < 0 || dev >= VGPU_MAX_DEVICES) return;
  vgpu_region *r = vgpu_g.shm.r;
  if (!vgpu_should_throttle(vgpu_g.cfg.sm_limit[dev], vgpu_g.cfg.policy,
                            __atomic_load_n(&r->utilization_switch, __ATOMIC_RELAXED)))
    return;
  __atomic_fetch_add(&thr.metered, 1, __ATOMIC_RELAXED);
  while (__atomic_load_n(&r->block_launches, __ATOMIC_RELAXED) > 0) { /* priority preemption by a monitor */
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  if (!__atomic_load_n(&thr.inited[dev], __ATOMIC_ACQUIRE) || !thr.started) throttle_init_device(dev);
  int64_t cost = gx == 0 ? thr.bucket[dev].capacity / 4 : vgpu_launch_cost(gx, gy, gz);
  bool waited = false;
  int64_t t = __atomic_load_n(&thr.tokens[dev], __ATOMIC_ACQUIRE);
  for (;;) {
    if (t < 0) { /* in debt: wait for refills */
      waited = true;
      struct timespec ts = {0, 1000 * 1000};
      nanosleep(&ts, NULL);
      t = __atomic_load_n(&thr.tokens[dev], __ATOMIC_ACQUIRE);
      continue;
    }
    int64_t nt = t - cost < -thr.bucket[dev].capacity ? -thr.bucket[dev].capacity : t - cost; /* bounded debt */
    if (__atomic_compare_exchange_n(&thr.tokens[dev], &t, nt, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) break;
  }
  if (waited) __atomic_fetch_add(&thr.waits, 1, __ATOMIC_RELAXED);
}
