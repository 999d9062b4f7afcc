/* libvgpu runtime: logging, lazy initialisation, the dlsym override, fork/exit handling, throttling. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

int vgpu_log_level = 2;
vgpu_state vgpu_g;
vgpu_cuda_table vgpu_real;
vgpu_track vgpu_allocs;

static pthread_mutex_t init_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t track_mu = PTHREAD_MUTEX_INITIALIZER;
static __thread int tl_in_init;
static int cuda_state; /* 0 not tried, 1 ready, -1 absent */
static int core_state; /* 0 not tried, 1 ready */
static void *cuda_handle;

void vgpu_log(int level, const char *fmt, ...) {
  if (level > vgpu_log_level) return;
  static const char *names[] = {"", "ERROR", "WARN", "INFO", "DEBUG"};
  char buf[1024];
  int n = snprintf(buf, sizeof buf, "[libvgpu %d] %s: ", (int)getpid(), names[level < 0 || level > 4 ? 0 : level]);
  va_list ap;
  va_start(ap, fmt);
  if (n > 0 && (size_t)n < sizeof buf) n += vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n >= sizeof buf - 1) n = (int)sizeof buf - 2;
  buf[n++] = '\n';
  ssize_t w = write(2, buf, (size_t)n); /* stderr only, never stdout */
  (void)w;
}

/* ---- glibc dlsym ---- */
typedef void *(*dlsym_fn)(void *, const char *);
static dlsym_fn real_dlsym_ptr;

static dlsym_fn find_real_dlsym(void) {
  static const char *versions[] = {"GLIBC_2.34", "GLIBC_2.2.5", "GLIBC_2.17", "GLIBC_2.0", "GLIBC_2.3", "GLIBC_2.4"};
  for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
    void *p = dlvsym(RTLD_NEXT, "dlsym", versions[i]);
    if (p != NULL) return (dlsym_fn)p;
  }
  void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
  for (size_t i = 0; libc != NULL && i < sizeof versions / sizeof versions[0]; i++) {
    void *p = dlvsym(libc, "dlsym", versions[i]);
    if (p != NULL) return (dlsym_fn)p;
  }
  return NULL;
}

static inline dlsym_fn get_real_dlsym(void) {
  dlsym_fn f = __atomic_load_n(&real_dlsym_ptr, __ATOMIC_ACQUIRE);
  if (__builtin_expect(f == NULL, 0)) {
    f = find_real_dlsym();
    __atomic_store_n(&real_dlsym_ptr, f, __ATOMIC_RELEASE);
  }
  return f;
}

void *vgpu_real_dlsym(void *handle, const char *name) {
  dlsym_fn f = get_real_dlsym();
  return f != NULL ? f(handle, name) : NULL;
}

/*
 * dlsym override: a lookup of a hooked CUDA/NVML name in a library that really
 * defines it returns our hook. Never initialises anything (no hang on early lookups),
 * and RTLD_NEXT is forwarded as a tail call so glibc still sees the caller's address.
 */
VGPU_EXPORT void *dlsym(void *handle, const char *name) {
  dlsym_fn f = get_real_dlsym();
  if (handle == RTLD_NEXT || !((name[0] == 'c' && name[1] == 'u') || strncmp(name, "nvml", 4) == 0))
    return f(handle, name); /* sibling call: keeps the caller's return address for RTLD_NEXT */
  void *real = f(handle, name);
  if (real == NULL) return NULL;
  void *hook = vgpu_hook_by_name(name);
  return hook != NULL ? hook : real;
}

/* ---- initialisation ---- */
static const char *env_get(const char *name, void *ctx) {
  (void)ctx;
  return getenv(name);
}
static void env_report(const char *msg, void *ctx) {
  (void)ctx;
  VGPU_ERROR("%s", msg);
}

static void after_fork_child(void) {
  /* CUDA state does not survive fork; the child gets its own slot on first use. */
  pthread_mutex_init(&init_mu, NULL);
  pthread_mutex_init(&track_mu, NULL);
  vgpu_track_clear(&vgpu_allocs);
  if (vgpu_g.shm.r != NULL && core_state == 1) {
    vgpu_g.shm.slot = -1;
    if (vgpu_region_register(&vgpu_g.shm, getpid(), vgpu_g.cfg.priority) != 0)
      VGPU_ERROR("all %d process slots of the shared region are in use; allocations of this process on limited devices are refused",
                 VGPU_MAX_SLOTS);
  }
  extern void vgpu_throttle_after_fork(void);
  vgpu_throttle_after_fork();
  vgpu_hooks_after_fork();
}

static void at_exit_release(void) {
  if (core_state == 1 && vgpu_g.shm.r != NULL && vgpu_g.shm.pid == getpid()) vgpu_region_unregister(&vgpu_g.shm);
}

static void init_core_locked(void) {
  vgpu_config env_cfg;
  vgpu_config_load(&env_cfg, env_get, NULL, NULL, NULL);
  vgpu_log_level = env_cfg.log_level;
  vgpu_config_load(&env_cfg, env_get, NULL, env_report, NULL); /* now report with the right level */
  char err[512];
  vgpu_region_status st = vgpu_region_open(&vgpu_g.shm, env_cfg.shared_cache, err, sizeof err);
  if (st != VGPU_REGION_OK) {
    VGPU_ERROR("%s; falling back to per-process accounting (limits still apply to this process)", err);
    if (vgpu_region_open_private(&vgpu_g.shm) != 0) {
      VGPU_ERROR("cannot map a private accounting region; libvgpu passes everything through");
      vgpu_g.cfg = env_cfg;
      core_state = -1;
      return;
    }
  }
  if (vgpu_region_register(&vgpu_g.shm, getpid(), env_cfg.priority) != 0)
    VGPU_ERROR("all %d process slots of the shared region are in use; allocations of this process on limited devices are refused",
               VGPU_MAX_SLOTS);
  vgpu_region_apply_limits(&vgpu_g.shm, &env_cfg, &vgpu_g.cfg, env_report, NULL);
  vgpu_g.throttle_any = vgpu_g.cfg.any_sm_limit && vgpu_g.cfg.policy != VGPU_POLICY_DISABLE;
  pthread_atfork(NULL, NULL, after_fork_child);
  atexit(at_exit_release);
  VGPU_INFO("initialised: region %s, device 0 limit %llu bytes, SM %u%%", env_cfg.shared_cache,
            (unsigned long long)vgpu_g.cfg.mem_limit[0], vgpu_g.cfg.sm_limit[0]);
  __atomic_store_n(&core_state, 1, __ATOMIC_RELEASE);
}

bool vgpu_core_ready(void) {
  int s = __atomic_load_n(&core_state, __ATOMIC_ACQUIRE);
  if (__builtin_expect(s != 0, 1)) return s == 1;
  if (tl_in_init) return false;
  tl_in_init = 1;
  pthread_mutex_lock(&init_mu);
  if (core_state == 0) init_core_locked();
  pthread_mutex_unlock(&init_mu);
  tl_in_init = 0;
  return core_state == 1;
}

static void init_cuda_locked(void) {
  cuda_handle = dlopen("libcuda.so.1", RTLD_NOW | RTLD_NODELETE);
  if (cuda_handle == NULL) {
    VGPU_DEBUG("libcuda.so.1 not loadable (%s); passing through", dlerror());
    __atomic_store_n(&cuda_state, -1, __ATOMIC_RELEASE);
    return;
  }
#define VGPU_RESOLVE(name, params, args) vgpu_real.name = (name##_fn)vgpu_real_dlsym(cuda_handle, #name);
  VGPU_CUDA_HOOKS(VGPU_RESOLVE)
  VGPU_CUDA_REAL_ONLY(VGPU_RESOLVE)
#undef VGPU_RESOLVE
  __atomic_store_n(&cuda_state, 1, __ATOMIC_RELEASE);
}

bool vgpu_cuda_ready(void) {
  int s = __atomic_load_n(&cuda_state, __ATOMIC_ACQUIRE);
  if (__builtin_expect(s == 1 && __atomic_load_n(&core_state, __ATOMIC_ACQUIRE) == 1, 1)) return true;
  if (s == -1) return false;
  if (!vgpu_core_ready()) return false;
  if (s == 1) return true;
  if (tl_in_init) return false; /* re-entered from the driver's own initialisation */
  tl_in_init = 1;
  pthread_mutex_lock(&init_mu);
  if (cuda_state == 0) init_cuda_locked();
  pthread_mutex_unlock(&init_mu);
  tl_in_init = 0;
  return cuda_state == 1;
}

void *vgpu_next(const char *name) {
  if (cuda_handle != NULL) {
    void *p = vgpu_real_dlsym(cuda_handle, name);
    if (p != NULL) return p;
  }
  return vgpu_real_dlsym(RTLD_NEXT, name);
}

int vgpu_current_device(void) {
  CUdevice d = -1;
  if (vgpu_real.cuCtxGetDevice == NULL || vgpu_real.cuCtxGetDevice(&d) != CUDA_SUCCESS) return -1;
  return d;
}

void vgpu_track_lock(void) { pthread_mutex_lock(&track_mu); }
void vgpu_track_unlock(void) { pthread_mutex_unlock(&track_mu); }

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
          if (r->slots[s].pid != 0 && (unsigned)r->slots[s].pid == samples[i].pid) {
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
