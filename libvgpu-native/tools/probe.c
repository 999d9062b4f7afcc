/*
 * vgpu-probe (CUDA) and npu-probe (Ascend, built from this file with PROBE_NPU=1): allocate N MiB on one device
 * through the runtime's public API, opened with dlopen + dlsym (so under LD_PRELOAD=libvgpu.so the hooks apply),
 * and print one machine-readable line on stdout:
 *
 *   ok device=<i> alloc_mib=<N> allocated_mib=<A> total_mib=<T> free_mib=<F>     exit 0
 *   oom device=<i> alloc_mib=<N> allocated_mib=<A> total_mib=<T> free_mib=<F>    exit 2 (the runtime's OOM code)
 *   error device=<i> step=<call> code=<runtime code>                             exit 1 (step=dlopen: no runtime)
 *
 * total/free are the runtime's memory info before the allocation (cuMemGetInfo / aclrtGetMemInfo); A is what was
 * allocated before the first refusal. Usage:
 *   <probe> [--device I] [--alloc-mib N] [--chunk-mib C] [--hold-ms MS] [--setenv K=V] [--unsetenv K]
 * --chunk-mib allocates N MiB in chunks of C MiB (default: one allocation); --alloc-mib 0 only reports.
 * --setenv / --unsetenv edit the process's own environment before the first runtime call (tamper tests:
 * libvgpu is already loaded and reads its configuration at that first call).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef PROBE_NPU
#define PROBE_NPU 0
#endif

#if PROBE_NPU
#define PROBE_NAME "npu-probe"
#define PROBE_LIB "libascendcl.so"
#define PROBE_OOM 207001 /* ACL_ERROR_RT_MEMORY_ALLOCATION */
typedef int (*init_fn)(const char *);
typedef int (*setdev_fn)(int32_t);
typedef int (*info_fn)(int, size_t *, size_t *);
typedef int (*alloc_fn)(void **, size_t, int);
typedef int (*free_fn)(void *);
static init_fn p_init;
static setdev_fn p_setdev;
static info_fn p_info;
static alloc_fn p_alloc;
static free_fn p_free;
typedef void *probe_ptr;

static int bind(void *lib) {
  p_init = (init_fn)dlsym(lib, "aclInit");
  p_setdev = (setdev_fn)dlsym(lib, "aclrtSetDevice");
  p_info = (info_fn)dlsym(lib, "aclrtGetMemInfo");
  p_alloc = (alloc_fn)dlsym(lib, "aclrtMalloc");
  p_free = (free_fn)dlsym(lib, "aclrtFree");
  return p_init && p_setdev && p_info && p_alloc && p_free;
}
/* aclInit, aclrtSetDevice, aclrtGetMemInfo(ACL_HBM_MEM); returns the failing step or NULL */
static const char *open_device(int dev, size_t *f, size_t *t, int *rc) {
  if ((*rc = p_init(NULL)) != 0 && *rc != 100002 /* ACL_ERROR_REPEAT_INITIALIZE */) return "aclInit";
  if ((*rc = p_setdev(dev)) != 0) return "aclrtSetDevice";
  if ((*rc = p_info(1, f, t)) != 0) return "aclrtGetMemInfo";
  return NULL;
}
static int probe_alloc(probe_ptr *p, size_t bytes) { return p_alloc(p, bytes, 0); }
static void probe_free(probe_ptr p) { p_free(p); }
#define ALLOC_STEP "aclrtMalloc"
#else
#define PROBE_NAME "vgpu-probe"
#define PROBE_LIB "libcuda.so.1"
#define PROBE_OOM 2 /* CUDA_ERROR_OUT_OF_MEMORY */
typedef int (*init_fn)(unsigned);
typedef int (*devget_fn)(int *, int);
typedef int (*retain_fn)(void **, int);
typedef int (*setcur_fn)(void *);
typedef int (*info_fn)(size_t *, size_t *);
typedef int (*alloc_fn)(unsigned long long *, size_t);
typedef int (*free_fn)(unsigned long long);
static init_fn p_init;
static devget_fn p_devget;
static retain_fn p_retain;
static setcur_fn p_setcur;
static info_fn p_info;
static alloc_fn p_alloc;
static free_fn p_free;
typedef unsigned long long probe_ptr;

static int bind(void *lib) {
  p_init = (init_fn)dlsym(lib, "cuInit");
  p_devget = (devget_fn)dlsym(lib, "cuDeviceGet");
  p_retain = (retain_fn)dlsym(lib, "cuDevicePrimaryCtxRetain");
  p_setcur = (setcur_fn)dlsym(lib, "cuCtxSetCurrent");
  p_info = (info_fn)dlsym(lib, "cuMemGetInfo_v2");
  p_alloc = (alloc_fn)dlsym(lib, "cuMemAlloc_v2");
  p_free = (free_fn)dlsym(lib, "cuMemFree_v2");
  return p_init && p_devget && p_retain && p_setcur && p_info && p_alloc && p_free;
}
/* cuInit, cuDeviceGet, the primary context made current, cuMemGetInfo; returns the failing step or NULL */
static const char *open_device(int dev, size_t *f, size_t *t, int *rc) {
  int d;
  void *ctx;
  if ((*rc = p_init(0)) != 0) return "cuInit";
  if ((*rc = p_devget(&d, dev)) != 0) return "cuDeviceGet";
  if ((*rc = p_retain(&ctx, d)) != 0) return "cuDevicePrimaryCtxRetain";
  if ((*rc = p_setcur(ctx)) != 0) return "cuCtxSetCurrent";
  if ((*rc = p_info(f, t)) != 0) return "cuMemGetInfo";
  return NULL;
}
static int probe_alloc(probe_ptr *p, size_t bytes) { return p_alloc(p, bytes); }
static void probe_free(probe_ptr p) { p_free(p); }
#define ALLOC_STEP "cuMemAlloc"
#endif

static void usage(void) {
  fprintf(stderr, "usage: " PROBE_NAME " [--device I] [--alloc-mib N] [--chunk-mib C] [--hold-ms MS] [--setenv K=V] "
                  "[--unsetenv K]\n");
  exit(64);
}

int main(int argc, char **argv) {
  int dev = 0;
  unsigned long long mib = 0, chunk = 0, hold_ms = 0;
  for (int i = 1; i < argc; i++) {
    if (i + 1 >= argc) usage();
    if (strcmp(argv[i], "--setenv") == 0 || strcmp(argv[i], "--unsetenv") == 0) {
      if (argv[i][2] == 's') {
        if (putenv(argv[i + 1]) != 0) usage();
      } else if (unsetenv(argv[i + 1]) != 0) {
        usage();
      }
      i++;
      continue;
    }
    char *end;
    unsigned long long v = strtoull(argv[i + 1], &end, 10);
    if (*end != '\0') usage();
    if (strcmp(argv[i], "--device") == 0) dev = (int)v;
    else if (strcmp(argv[i], "--alloc-mib") == 0) mib = v;
    else if (strcmp(argv[i], "--chunk-mib") == 0) chunk = v;
    else if (strcmp(argv[i], "--hold-ms") == 0) hold_ms = v;
    else usage();
    i++;
  }
  void *lib = dlopen(PROBE_LIB, RTLD_NOW);
  if (lib == NULL) {
    printf("error device=%d step=dlopen code=-1\n", dev);
    fprintf(stderr, PROBE_NAME ": %s\n", dlerror());
    return 1;
  }
  if (!bind(lib)) {
    printf("error device=%d step=dlsym code=-1\n", dev);
    return 1;
  }
  size_t f = 0, t = 0;
  int rc = 0;
  const char *failed = open_device(dev, &f, &t, &rc);
  if (failed != NULL) {
    printf("error device=%d step=%s code=%d\n", dev, failed, rc);
    return 1;
  }
  unsigned long long step = chunk ? chunk : mib;
  size_t n = step ? (size_t)((mib + step - 1) / step) : 0;
  probe_ptr *ptrs = calloc(n ? n : 1, sizeof *ptrs);
  unsigned long long done = 0;
  const char *result = "ok";
  int code = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned long long this_mib = mib - done < step ? mib - done : step;
    rc = probe_alloc(&ptrs[i], (size_t)(this_mib << 20));
    if (rc == PROBE_OOM) {
      result = "oom";
      code = 2;
      break;
    }
    if (rc != 0) {
      printf("error device=%d step=" ALLOC_STEP " code=%d\n", dev, rc);
      return 1;
    }
    done += this_mib;
  }
  if (hold_ms) {
    struct timespec ts = {(time_t)(hold_ms / 1000), (long)(hold_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
  }
  for (size_t i = 0; i < n; i++)
    if (ptrs[i]) probe_free(ptrs[i]);
  printf("%s device=%d alloc_mib=%llu allocated_mib=%llu total_mib=%llu free_mib=%llu\n", result, dev, mib, done,
         (unsigned long long)(t >> 20), (unsigned long long)(f >> 20));
  free(ptrs);
  return code;
}
