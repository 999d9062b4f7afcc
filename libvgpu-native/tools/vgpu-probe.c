/*
 * vgpu-probe: allocates N MiB on CUDA device i through the driver API (dlopen("libcuda.so.1") + dlsym,
 * so under LD_PRELOAD=libvgpu.so the hooks apply) and prints one machine-readable line on stdout:
 *
 *   ok device=<i> alloc_mib=<N> total_mib=<T> free_mib=<F>      exit 0
 *   oom device=<i> alloc_mib=<N> total_mib=<T> free_mib=<F>     exit 2
 *   error device=<i> step=<call> code=<CUresult>                exit 1
 *
 * total/free are what cuMemGetInfo reports before the allocation. Usage:
 *   vgpu-probe [--device I] [--alloc-mib N] [--chunk-mib C] [--hold-ms MS] [--setenv K=V] [--unsetenv K]
 * --chunk-mib allocates N MiB in chunks of C MiB (default: one allocation); --alloc-mib 0 only reports.
 * --setenv / --unsetenv edit the process's own environment before the first driver call (tamper tests:
 * libvgpu is already loaded and reads its configuration at that first call).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
typedef CUresult (*init_fn)(unsigned);
typedef CUresult (*devget_fn)(int *, int);
typedef CUresult (*retain_fn)(void **, int);
typedef CUresult (*setcur_fn)(void *);
typedef CUresult (*info_fn)(size_t *, size_t *);
typedef CUresult (*alloc_fn)(CUdeviceptr *, size_t);
typedef CUresult (*free_fn)(CUdeviceptr);

static void usage(void) {
  fprintf(stderr, "usage: vgpu-probe [--device I] [--alloc-mib N] [--chunk-mib C] [--hold-ms MS] [--setenv K=V] "
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
  void *cuda = dlopen("libcuda.so.1", RTLD_NOW);
  if (cuda == NULL) {
    printf("error device=%d step=dlopen code=-1\n", dev);
    fprintf(stderr, "vgpu-probe: %s\n", dlerror());
    return 1;
  }
  init_fn cuInit = (init_fn)dlsym(cuda, "cuInit");
  devget_fn cuDeviceGet = (devget_fn)dlsym(cuda, "cuDeviceGet");
  retain_fn retain = (retain_fn)dlsym(cuda, "cuDevicePrimaryCtxRetain");
  setcur_fn setcur = (setcur_fn)dlsym(cuda, "cuCtxSetCurrent");
  info_fn info = (info_fn)dlsym(cuda, "cuMemGetInfo_v2");
  alloc_fn alloc = (alloc_fn)dlsym(cuda, "cuMemAlloc_v2");
  free_fn mfree = (free_fn)dlsym(cuda, "cuMemFree_v2");
  if (!cuInit || !cuDeviceGet || !retain || !setcur || !info || !alloc || !mfree) {
    printf("error device=%d step=dlsym code=-1\n", dev);
    return 1;
  }
  CUresult rc;
  int d;
  void *ctx;
  size_t f = 0, t = 0;
  if ((rc = cuInit(0)) != 0) { printf("error device=%d step=cuInit code=%d\n", dev, rc); return 1; }
  if ((rc = cuDeviceGet(&d, dev)) != 0) { printf("error device=%d step=cuDeviceGet code=%d\n", dev, rc); return 1; }
  if ((rc = retain(&ctx, d)) != 0) { printf("error device=%d step=cuDevicePrimaryCtxRetain code=%d\n", dev, rc); return 1; }
  if ((rc = setcur(ctx)) != 0) { printf("error device=%d step=cuCtxSetCurrent code=%d\n", dev, rc); return 1; }
  if ((rc = info(&f, &t)) != 0) { printf("error device=%d step=cuMemGetInfo code=%d\n", dev, rc); return 1; }
  unsigned long long step = chunk ? chunk : mib;
  size_t n = step ? (size_t)((mib + step - 1) / step) : 0;
  CUdeviceptr *ptrs = calloc(n ? n : 1, sizeof *ptrs);
  unsigned long long done = 0;
  const char *result = "ok";
  int code = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned long long this_mib = mib - done < step ? mib - done : step;
    rc = alloc(&ptrs[i], (size_t)(this_mib << 20));
    if (rc == 2) { result = "oom"; code = 2; break; }
    if (rc != 0) { printf("error device=%d step=cuMemAlloc code=%d\n", dev, rc); return 1; }
    done += this_mib;
  }
  if (hold_ms) {
    struct timespec ts = {(time_t)(hold_ms / 1000), (long)(hold_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
  }
  for (size_t i = 0; i < n; i++)
    if (ptrs[i]) mfree(ptrs[i]);
  printf("%s device=%d alloc_mib=%llu allocated_mib=%llu total_mib=%llu free_mib=%llu\n", result, dev, mib, done,
         (unsigned long long)(t >> 20), (unsigned long long)(f >> 20));
  free(ptrs);
  return code;
}
