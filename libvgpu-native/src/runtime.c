/* libvgpu runtime: logging, lazy initialisation, fork/exit handling. */
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
vgpu_front vgpu_g = {.name = "CUDA", .env = &vgpu_env_cuda, .kind = VGPU_LIMITS_CUDA};
vgpu_front vgpu_npu = {.name = "Ascend", .env = &vgpu_env_npu, .kind = VGPU_LIMITS_NPU};
vgpu_cuda_table vgpu_real;
vgpu_track vgpu_allocs;

static pthread_mutex_t init_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t track_mu = PTHREAD_MUTEX_INITIALIZER;
static __thread int tl_in_init;
static int cuda_state; /* 0 not tried, 1 ready, -1 absent */
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

/* ---- initialisation ---- */
static const char *env_get(const char *name, void *ctx) {
  (void)ctx;
  return getenv(name);
}
static void env_report(const char *msg, void *ctx) {
  (void)ctx;
  VGPU_ERROR("%s", msg);
}

static vgpu_front *const fronts[] = {&vgpu_g, &vgpu_npu};

static void register_slot(vgpu_front *fe) {
  if (vgpu_region_register(&fe->shm, getpid(), fe->cfg.priority) != 0)
    VGPU_ERROR("all %d process slots of the %s region are in use; allocations of this process on limited devices are "
               "refused",
               VGPU_MAX_SLOTS, fe->name);
}

static void after_fork_child(void) {
  /* Vendor state does not survive fork; the child gets its own slot now. */
  pthread_mutex_init(&init_mu, NULL);
  pthread_mutex_init(&track_mu, NULL);
  vgpu_track_clear(&vgpu_allocs);
  for (size_t i = 0; i < sizeof fronts / sizeof fronts[0]; i++) {
    if (fronts[i]->shm.r == NULL || fronts[i]->state != 1) continue;
    fronts[i]->shm.slot = -1;
    register_slot(fronts[i]);
  }
  vgpu_throttle_after_fork();
}

static void at_exit_release(void) {
  for (size_t i = 0; i < sizeof fronts / sizeof fronts[0]; i++)
    if (fronts[i]->state == 1 && fronts[i]->shm.r != NULL && fronts[i]->shm.pid == getpid())
      vgpu_region_unregister(&fronts[i]->shm);
}

/* Environment, then the limits file (it wins; the environment may only lower it). */
static void load_config(vgpu_front *fe, vgpu_config *cfg) {
  vgpu_config_load_env(cfg, fe->env, env_get, NULL, NULL, NULL);
  vgpu_log_level = cfg->log_level;
  vgpu_config_load_env(cfg, fe->env, env_get, NULL, env_report, NULL); /* now report with the right level */
  const char *path = vgpu_limits_path(VGPU_LIMITS_DEFAULT_PATH, getenv(VGPU_ENV_LIMITS_FILE));
  vgpu_limits lim;
  char err[512];
  switch (vgpu_limits_read(path, &lim, err, sizeof err)) {
    case VGPU_LIMITS_ABSENT:
      return;
    case VGPU_LIMITS_INVALID:
      VGPU_ERROR("%s; refusing every device allocation (fail closed)", err);
      cfg->refuse_all = true;
      return;
    case VGPU_LIMITS_OK:
      if (lim.kind != fe->kind) {
        VGPU_DEBUG("limits file %s is for another device kind; the %s limits come from the environment", path,
                   fe->name);
        return;
      }
      vgpu_limits_apply(cfg, &lim, env_report, NULL);
      VGPU_INFO("%s limits from %s", fe->name, path);
      return;
  }
}

static bool atfork_done;

static void init_front_locked(vgpu_front *fe) {
  vgpu_config own;
  load_config(fe, &own);
  char err[512];
  vgpu_region_status st = vgpu_region_open(&fe->shm, own.shared_cache, err, sizeof err);
  if (st != VGPU_REGION_OK) {
    VGPU_ERROR("%s; falling back to per-process accounting (limits still apply to this process)", err);
    if (vgpu_region_open_private(&fe->shm) != 0) {
      VGPU_ERROR("cannot map a private accounting region; libvgpu passes %s calls through", fe->name);
      fe->cfg = own;
      __atomic_store_n(&fe->state, -1, __ATOMIC_RELEASE);
      return;
    }
  }
  fe->cfg.priority = own.priority;
  register_slot(fe);
  vgpu_region_apply_limits(&fe->shm, &own, &fe->cfg, env_report, NULL);
  fe->throttle_any = fe->cfg.any_sm_limit && fe->cfg.policy != VGPU_POLICY_DISABLE;
  if (!atfork_done) {
    pthread_atfork(NULL, NULL, after_fork_child);
    atexit(at_exit_release);
    atfork_done = true;
  }
  VGPU_INFO("%s initialised: region %s, device 0 limit %llu bytes, cores %u%%", fe->name, own.shared_cache,
            (unsigned long long)fe->cfg.mem_limit[0], fe->cfg.sm_limit[0]);
  __atomic_store_n(&fe->state, 1, __ATOMIC_RELEASE);
}

bool vgpu_front_ready(vgpu_front *fe) {
  int s = __atomic_load_n(&fe->state, __ATOMIC_ACQUIRE);
  if (__builtin_expect(s != 0, 1)) return s == 1;
  if (tl_in_init) return false;
  tl_in_init = 1;
  pthread_mutex_lock(&init_mu);
  if (fe->state == 0) init_front_locked(fe);
  pthread_mutex_unlock(&init_mu);
  tl_in_init = 0;
  return fe->state == 1;
}

static void init_cuda_locked(void) {
  cuda_handle = dlopen("libcuda.so.1", RTLD_NOW | RTLD_NODELETE);
  if (cuda_handle == NULL) {
    VGPU_DEBUG("libcuda.so.1 not loadable (%s); passing through", dlerror());
    __atomic_store_n(&cuda_state, -1, __ATOMIC_RELEASE);
    return;
  }
#define VGPU_RESOLVE(name, since, until, params, args) vgpu_real.name = (name##_fn)vgpu_real_dlsym(cuda_handle, #name);
#define VGPU_RESOLVE_REAL(name, params, args) vgpu_real.name = (name##_fn)vgpu_real_dlsym(cuda_handle, #name);
  VGPU_CUDA_HOOKS(VGPU_RESOLVE)
  VGPU_CUDA_REAL_ONLY(VGPU_RESOLVE_REAL)
#undef VGPU_RESOLVE
#undef VGPU_RESOLVE_REAL
  __atomic_store_n(&cuda_state, 1, __ATOMIC_RELEASE);
}

bool vgpu_cuda_ready(void) {
  int s = __atomic_load_n(&cuda_state, __ATOMIC_ACQUIRE);
  if (__builtin_expect(s == 1 && __atomic_load_n(&vgpu_g.state, __ATOMIC_ACQUIRE) == 1, 1)) return true;
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
