/* Compute limits: the CUDA SM token bucket (a watcher thread corrects the refill from NVML) and the Ascend
 * time-slice turns. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "vgpu/timeslice.h"

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
  uint64_t waits_seen; /* the watcher's last look at waits */
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
        uint64_t waits = __atomic_load_n(&thr.waits, __ATOMIC_RELAXED);
        vgpu_bucket_adjust(&thr.bucket[d], limit, u, waits != thr.waits_seen);
        thr.waits_seen = waits;
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

/* ---- Ascend: time-slice turns among the containers sharing a card (include/vgpu/timeslice.h) ---- */
static struct {
  vgpu_sched *reg[VGPU_MAX_DEVICES];
  int idx[VGPU_MAX_DEVICES];
  int state[VGPU_MAX_DEVICES]; /* 0 not opened, 1 scheduled, -1 not scheduled */
  uint64_t key;
  uint64_t reaped_ns;
  pthread_mutex_t mu;
} turns = {.mu = PTHREAD_MUTEX_INITIALIZER};
static uint64_t npu_metered;
VGPU_EXPORT uint64_t vgpu_stat_npu_metered_launches(void) { return __atomic_load_n(&npu_metered, __ATOMIC_RELAXED); }

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The container's identity on every card: its region's path, device and inode (two containers may both use the
 * default path in their own /tmp). */
static uint64_t container_key(void) {
  struct stat sb;
  if (vgpu_npu.shm.fd >= 0 && fstat(vgpu_npu.shm.fd, &sb) == 0)
    return vgpu_sched_key(vgpu_npu.cfg.shared_cache, (uint64_t)sb.st_dev, (uint64_t)sb.st_ino);
  return vgpu_sched_key(vgpu_npu.cfg.shared_cache, (uint64_t)getpid(), 0); /* private region: per process */
}

/* The card's registry: the limits file's / NPU_GLOBAL_SHM_PATH's, else one next to the container's region (then
 * the share still caps the container, but other containers on the card are not coordinated). */
static void turns_open(int dev) {
  pthread_mutex_lock(&turns.mu);
  if (turns.state[dev] == 0) {
    char path[VGPU_PATH_MAX + 16];
    if (vgpu_npu.cfg.scheduler[dev][0] != '\0') {
      snprintf(path, sizeof path, "%s", vgpu_npu.cfg.scheduler[dev]);
    } else {
      snprintf(path, sizeof path, "%s.sched%d", vgpu_npu.cfg.shared_cache, dev);
      VGPU_WARN("Ascend device %d: no card registry configured (NPU_GLOBAL_SHM_PATH); the %u%% share is enforced "
                "for this container only (%s)", dev, vgpu_npu.cfg.sm_limit[dev], path);
    }
    char err[512];
    vgpu_sched *s = vgpu_sched_open(path, err, sizeof err);
    if (s == NULL) {
      VGPU_ERROR("%s; Ascend device %d launches are not scheduled", err, dev);
      turns.state[dev] = -1;
    } else {
      if (turns.key == 0) turns.key = container_key();
      vgpu_sched_lock(s);
      turns.idx[dev] = vgpu_sched_join(s, turns.key, (int32_t)getpid(), vgpu_npu.cfg.sm_limit[dev], mono_ns());
      vgpu_sched_unlock(s);
      turns.reg[dev] = s;
      turns.state[dev] = turns.idx[dev] >= 0 ? 1 : -1;
      if (turns.idx[dev] < 0)
        VGPU_ERROR("card registry %s is full (%d containers); Ascend device %d launches are not scheduled", path,
                   VGPU_SCHED_MAX, dev);
      else
        VGPU_INFO("Ascend device %d: %u%% of device time, time slices shared through %s", dev,
                  vgpu_npu.cfg.sm_limit[dev], path);
    }
  }
  pthread_mutex_unlock(&turns.mu);
}

static void sleep_until_ns(uint64_t t) {
  uint64_t now = mono_ns();
  if (t <= now) return;
  struct timespec ts = {(time_t)((t - now) / 1000000000ULL), (long)((t - now) % 1000000000ULL)};
  nanosleep(&ts, NULL);
}

bool vgpu_npu_turn_begin(int dev) {
  if (dev < 0 || dev >= VGPU_MAX_DEVICES || vgpu_npu.cfg.sm_limit[dev] >= 100 ||
      vgpu_npu.cfg.policy == VGPU_POLICY_DISABLE)
    return false;
  if (__atomic_load_n(&turns.state[dev], __ATOMIC_ACQUIRE) == 0) turns_open(dev);
  if (turns.state[dev] != 1) return false;
  vgpu_sched *s = turns.reg[dev];
  __atomic_fetch_add(&npu_metered, 1, __ATOMIC_RELAXED);
  for (;;) {
    uint64_t now = mono_ns();
    int idx = __atomic_load_n(&turns.idx[dev], __ATOMIC_ACQUIRE);
    /* fast path: the container holds the card and its turn has time left */
    if (__atomic_load_n(&s->holder, __ATOMIC_ACQUIRE) == idx && now < __atomic_load_n(&s->turn_end_ns, __ATOMIC_ACQUIRE)) {
      __atomic_store_n(&s->e[idx].active_ns, now, __ATOMIC_RELEASE);
      __atomic_add_fetch(&s->e[idx].inflight, 1, __ATOMIC_ACQ_REL);
      return true;
    }
    uint64_t wake = now;
    vgpu_sched_lock(s);
    if (now - turns.reaped_ns > 1000000000ULL) {
      vgpu_sched_reap(s, now);
      turns.reaped_ns = now;
    }
    if (s->e[idx].key != turns.key) { /* dropped while idle for long: join again */
      idx = vgpu_sched_join(s, turns.key, (int32_t)getpid(), vgpu_npu.cfg.sm_limit[dev], now);
      __atomic_store_n(&turns.idx[dev], idx, __ATOMIC_RELEASE);
    }
    vgpu_sched_decision d = idx >= 0 ? vgpu_sched_acquire(s, idx, now, &wake) : VGPU_SCHED_RUN;
    vgpu_sched_unlock(s);
    if (idx < 0) return false;
    if (d == VGPU_SCHED_RUN) return true;
    if (d == VGPU_SCHED_END_TURN) {
      vgpu_npu_drain(); /* the turn's queued work runs out before the card is handed on */
      vgpu_sched_lock(s);
      vgpu_sched_release(s, idx, mono_ns());
      vgpu_sched_unlock(s);
      continue;
    }
    uint64_t cap = now + 500000; /* poll at least every 0.5 ms */
    sleep_until_ns(wake < cap ? (wake > now + 50000 ? wake : now + 50000) : cap);
  }
}

void vgpu_npu_turn_end(int dev) {
  int idx = __atomic_load_n(&turns.idx[dev], __ATOMIC_ACQUIRE);
  if (idx >= 0) vgpu_sched_done(turns.reg[dev], idx, mono_ns());
}
