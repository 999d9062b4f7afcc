/*
 * Driver-API tests, linked directly against the stub libcuda.so.1 / libnvidia-ml.so.1 and run with
 * LD_PRELOAD=libvgpu.so. One binary, one subcommand per CTest case (the env differs per case).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../stub/runtime_api.h"
#include "check.h"
#include "vgpu/region.h"

#define MIB (1ULL << 20)

static void use_device(int d) {
  CUcontext c;
  CHECK(cuDevicePrimaryCtxRetain(&c, d) == CUDA_SUCCESS);
  CHECK(cuCtxSetCurrent(c) == CUDA_SUCCESS);
}
static size_t free_now(void) {
  size_t f = 0, t = 0;
  CHECK(cuMemGetInfo_v2(&f, &t) == CUDA_SUCCESS);
  return f;
}
static bool preloaded(void *fn) {
  Dl_info i;
  if (dladdr(fn, &i) == 0 || i.dli_fname == NULL) return false;
  const char *base = strrchr(i.dli_fname, '/');
  return strcmp(base ? base + 1 : i.dli_fname, "libvgpu.so") == 0;
}

/* limit 0 = 64m, 1 = 32m, card 1g */
static int limits(void) {
  CHECK(cuInit(0) == CUDA_SUCCESS);
  use_device(0);
  size_t f, t;
  CHECK(cuMemGetInfo_v2(&f, &t) == CUDA_SUCCESS);
  CHECK_EQ_U(t, 64 * MIB);
  CHECK_EQ_U(f, 64 * MIB);
  size_t tm;
  CHECK(cuDeviceTotalMem_v2(&tm, 0) == CUDA_SUCCESS);
  CHECK_EQ_U(tm, 64 * MIB);
  CUdeviceptr a, b, c;
  CHECK(cuMemAlloc_v2(&a, 63 * MIB) == CUDA_SUCCESS);
  CHECK(cuMemAlloc_v2(&b, 1 * MIB) == CUDA_SUCCESS); /* exactly the limit */
  CHECK_EQ_U(free_now(), 0);
  unsigned long long before = stub_cuda_used(0);
  CHECK(cuMemAlloc_v2(&c, 1) == CUDA_ERROR_OUT_OF_MEMORY); /* one byte more */
  CHECK_EQ_U(stub_cuda_used(0), before);                    /* nothing was allocated */
  CHECK(cuMemFree_v2(b) == CUDA_SUCCESS);
  CHECK_EQ_U(free_now(), 1 * MIB);
  CHECK(cuMemAlloc_v2(&b, 1 * MIB) == CUDA_SUCCESS);
  CHECK(cuMemFree_v2(b) == CUDA_SUCCESS);
  CHECK(cuMemFree_v2(a) == CUDA_SUCCESS);
  CHECK_EQ_U(free_now(), 64 * MIB);
  /* device 1 has its own limit */
  use_device(1);
  CHECK(cuMemGetInfo_v2(&f, &t) == CUDA_SUCCESS);
  CHECK_EQ_U(t, 32 * MIB);
  CHECK(cuMemAlloc_v2(&a, 32 * MIB) == CUDA_SUCCESS);
  CHECK(cuMemAlloc_v2(&b, 1) == CUDA_ERROR_OUT_OF_MEMORY);
  use_device(0);
  CHECK(cuMemAlloc_v2(&b, 64 * MIB) == CUDA_SUCCESS); /* device 0 unaffected */
  CHECK(cuMemFree_v2(b) == CUDA_SUCCESS);
  use_device(1);
  CHECK(cuMemFree_v2(a) == CUDA_SUCCESS);
  /* a real driver OOM below the limit is passed on, and nothing stays charged */
  CHECK(cuMemFree_v2(0) == CUDA_SUCCESS);
  /* NVML sees the same virtual card */
  CHECK(nvmlInit_v2() == NVML_SUCCESS);
  nvmlDevice_t h;
  CHECK(nvmlDeviceGetHandleByIndex_v2(0, &h) == NVML_SUCCESS);
  use_device(0);
  CHECK(cuMemAlloc_v2(&a, 10 * MIB) == CUDA_SUCCESS);
  nvmlMemory_t m;
  CHECK(nvmlDeviceGetMemoryInfo(h, &m) == NVML_SUCCESS);
  CHECK_EQ_U(m.total, 64 * MIB);
  CHECK_EQ_U(m.used, 10 * MIB);
  CHECK_EQ_U(m.free, 54 * MIB);
  nvmlMemory_v2_t m2 = {.version = 2};
  CHECK(nvmlDeviceGetMemoryInfo_v2(h, &m2) == NVML_SUCCESS);
  CHECK(m2.total == 64 * MIB && m2.used == 10 * MIB && m2.free == 54 * MIB);
  CHECK(cuMemFree_v2(a) == CUDA_SUCCESS);
  CHECK(preloaded((void *)cuMemAlloc_v2));
  CHECK_DONE();
}

/* limit 0 = 64m: every producer is charged and every free returns it */
static int producers(void) {
  CHECK(cuInit(0) == CUDA_SUCCESS);
  use_device(0);
  CUdeviceptr p;
  size_t pitch;
  CHECK(cuMemAllocPitch_v2(&p, &pitch, 1000, 1024, 4) == CUDA_SUCCESS);
  CHECK_EQ_U(free_now(), 64 * MIB - (uint64_t)pitch * 1024);
  CHECK(cuMemFree_v2(p) == CUDA_SUCCESS);
  CHECK_EQ_U(free_now(), 64 * MIB);
  CHECK(cuMemAllocPitch_v2(&p, &pitch, 65 * 1024, 1024, 4) == CUDA_ERROR_OUT_OF_MEMORY);

  CHECK(cuMemAllocManaged(&p, 8 * MIB, 1) == CUDA_SUCCESS);
  CHECK_EQ_U(free_now(), 56 * MIB);
  CHECK(cuMemFree_v2(p) == CUDA_SUCCESS);

  CUdeviceptr q;
  CHECK(cuMemAllocAsync(&p, 8 * MIB, NULL) == CUDA_SUCCESS);
  CHECK(cuMemAllocFromPoolAsync(&q, 16 * MIB, (CUmemoryPool)(uintptr_t)1, NULL) == CUDA_SUCCESS);
  CHECK_EQ_U(free_now(), 40 * MIB);
  CHECK(cuMemAllocAsync_ptsz(&p, 64 * MIB, NULL) == CUDA_ERROR_OUT_OF_MEMORY);
  CHECK(cuMemFreeAsync(p, NULL) == CUDA_SUCCESS);
  CHECK(cuMemFreeAsync_ptsz(q, NULL) == CUDA_SUCCESS);
  CHECK_EQ_U(free_now(), 64 * MIB);
  /* repeated async alloc/free never leaks into a spurious OOM (HAMi-core#93/#96) */
  for (int i = 0; i < 1000; i++) {
    CHECK(cuMemAllocAsync(&p, 60 * MIB, NULL) == CUDA_SUCCESS);
    CHECK(cuMemFreeAsync(p, NULL) == CUDA_SUCCESS);
  }

  CUmemAllocationProp prop;
  memset(&prop, 0, sizeof prop);
  prop.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
  prop.location.id = 0;
  CUmemGenericAllocationHandle vh;
  CHECK(cuMemCreate(&vh, 32 * MIB, &prop, 0) == CUDA_SUCCESS);
  CHECK_EQ_U(free_now(), 32 * MIB);
  CUmemGenericAllocationHandle vh2;
  CHECK(cuMemCreate(&vh2, 33 * MIB, &prop, 0) == CUDA_ERROR_OUT_OF_MEMORY);
  CHECK(cuMemRelease(vh) == CUDA_SUCCESS);
  CHECK_EQ_U(free_now(), 64 * MIB);

  CUarray arr, arr3;
  CUDA_ARRAY_DESCRIPTOR d = {.Width = 1024, .Height = 1024, .Format = 0x20, .NumChannels = 4};
  CHECK(cuArrayCreate_v2(&arr, &d) == CUDA_SUCCESS);
  CHECK_EQ_U(free_now(), 48 * MIB);
  CUDA_ARRAY3D_DESCRIPTOR d3 = {.Width = 1024, .Height = 1024, .Depth = 16, .Format = 0x01, .NumChannels = 4};
  CHECK(cuArray3DCreate_v2(&arr3, &d3) == CUDA_ERROR_OUT_OF_MEMORY);
  d3.Depth = 8;
  CHECK(cuArray3DCreate_v2(&arr3, &d3) == CUDA_SUCCESS);
  CHECK_EQ_U(free_now(), 16 * MIB);
  CHECK(cuArrayDestroy(arr) == CUDA_SUCCESS);
  CHECK(cuArrayDestroy(arr3) == CUDA_SUCCESS);
  CHECK_EQ_U(free_now(), 64 * MIB);

  /* a free of memory the library never saw still reaches the driver */
  unsigned long long u;
  CHECK(stub_cuda_alloc_untracked(&u, MIB) == CUDA_SUCCESS);
  unsigned long long frees = stub_cuda_frees();
  CHECK(cuMemFree_v2(u) == CUDA_SUCCESS);
  CHECK_EQ_U(stub_cuda_frees(), frees + 1);
  CHECK(stub_cuda_alloc_untracked(&u, MIB) == CUDA_SUCCESS);
  CHECK(cuMemFreeAsync(u, NULL) == CUDA_SUCCESS);
  CHECK_EQ_U(stub_cuda_frees(), frees + 2);
  CHECK_EQ_U(free_now(), 64 * MIB);
  CHECK_DONE();
}

/* CUDA_OVERSUBSCRIBE=true: managed memory may page to the host and is not charged */
static int oversubscribe(void) {
  CHECK(cuInit(0) == CUDA_SUCCESS);
  use_device(0);
  CUdeviceptr p;
  CHECK(cuMemAllocManaged(&p, 128 * MIB, 1) == CUDA_SUCCESS);
  CHECK_EQ_U(free_now(), 64 * MIB);
  CHECK(cuMemFree_v2(p) == CUDA_SUCCESS);
  CHECK_DONE();
}

typedef CUresult (*alloc_fn)(CUdeviceptr *, size_t);
typedef CUresult (*alloc_v1_fn)(CUdeviceptr_v1 *, unsigned int);
typedef CUresult (*gpa_fn)(const char *, void **, int, cuuint64_t);
typedef CUresult (*gpa2_fn)(const char *, void **, int, cuuint64_t, int *);
typedef CUresult (*launch_fn)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                              CUstream, void **, void **);

/* dlopen("libcuda.so.1") + dlsym returns the hooks; limit 0 = 64m */
static int dlsym_path(void) {
  void *h = dlopen("libcuda.so.1", RTLD_NOW);
  CHECK(h != NULL);
  CUresult (*init)(unsigned) = (CUresult(*)(unsigned))dlsym(h, "cuInit");
  alloc_fn alloc = (alloc_fn)dlsym(h, "cuMemAlloc_v2");
  CHECK(init && alloc && preloaded((void *)alloc) && preloaded((void *)init));
  CHECK(preloaded(dlsym(h, "cuGetProcAddress_v2")));
  CHECK(!preloaded(dlsym(h, "cuModuleLoadData"))); /* not hooked: the driver's own */
  CHECK(dlsym(h, "cuNoSuchFunction") == NULL);      /* we never invent symbols */
  CHECK(init(0) == CUDA_SUCCESS);
  use_device(0);
  CUdeviceptr p;
  CHECK(alloc(&p, 64 * MIB) == CUDA_SUCCESS);
  CHECK(alloc(&p, 1) == CUDA_ERROR_OUT_OF_MEMORY);
  void *nv = dlopen("libnvidia-ml.so.1", RTLD_NOW);
  CHECK(nv != NULL && preloaded(dlsym(nv, "nvmlDeviceGetMemoryInfo")));
  CHECK(!preloaded(dlsym(nv, "nvmlDeviceGetUUID")));
  /* RTLD_NEXT keeps glibc semantics: from this executable the next definition is the preloaded hook */
  CHECK(dlsym(RTLD_DEFAULT, "cuMemAlloc_v2") == (void *)alloc);
  CHECK_DONE();
}

/* cuGetProcAddress(_v2) by base name, honouring version and the per-thread flag; limit 0 = 64m */
static int procaddr(void) {
  void *h = dlopen("libcuda.so.1", RTLD_NOW);
  gpa_fn gpa = (gpa_fn)dlsym(h, "cuGetProcAddress");
  gpa2_fn gpa2 = (gpa2_fn)dlsym(h, "cuGetProcAddress_v2");
  CHECK(gpa && gpa2 && preloaded((void *)gpa) && preloaded((void *)gpa2));
  CHECK(cuInit(0) == CUDA_SUCCESS);
  use_device(0);
  void *fn = NULL;
  int status = -1;
  /* current ABI: the _v2 hook */
  CHECK(gpa2("cuMemAlloc", &fn, 12040, CU_GET_PROC_ADDRESS_DEFAULT, &status) == CUDA_SUCCESS);
  CHECK(status == CU_GET_PROC_ADDRESS_SUCCESS && preloaded(fn));
  CUdeviceptr p;
  CHECK(((alloc_fn)fn)(&p, 64 * MIB) == CUDA_SUCCESS);
  CHECK(((alloc_fn)fn)(&p, 1) == CUDA_ERROR_OUT_OF_MEMORY);
  CHECK(strcmp(stub_cuda_last_call(), "cuMemAlloc_v2") == 0);
  CHECK(cuMemFree_v2(p) == CUDA_SUCCESS);
  /* old ABI (before 3.2): never the _v2 hook, the driver's v1 entry point */
  CHECK(gpa("cuMemAlloc", &fn, 3000, 0) == CUDA_SUCCESS);
  CHECK(fn != NULL && !preloaded(fn));
  CUdeviceptr_v1 p1;
  CHECK(((alloc_v1_fn)fn)(&p1, 4096) == CUDA_SUCCESS);
  CHECK(strcmp(stub_cuda_last_call(), "cuMemAlloc") == 0);
  /* per-thread default stream: the _ptsz hook, which calls the driver's _ptsz variant */
  CHECK(gpa2("cuLaunchKernel", &fn, 12000, CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM, &status) == CUDA_SUCCESS);
  CHECK(preloaded(fn));
  CHECK(((launch_fn)fn)(NULL, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL) == CUDA_SUCCESS);
  CHECK(strcmp(stub_cuda_last_call(), "cuLaunchKernel_ptsz") == 0);
  void *legacy = NULL;
  CHECK(gpa("cuLaunchKernel", &legacy, 7000, CU_GET_PROC_ADDRESS_LEGACY_STREAM) == CUDA_SUCCESS);
  CHECK(preloaded(legacy) && legacy != fn);
  CHECK(((launch_fn)legacy)(NULL, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL) == CUDA_SUCCESS);
  CHECK(strcmp(stub_cuda_last_call(), "cuLaunchKernel") == 0);
  CHECK(gpa2("cuMemFreeAsync", &fn, 11020, CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM, &status) == CUDA_SUCCESS);
  CHECK(preloaded(fn));
  /* cuGetProcAddress itself: the hook of the matching ABI, so nested lookups stay hooked */
  CHECK(gpa2("cuGetProcAddress", &fn, 12000, 0, &status) == CUDA_SUCCESS);
  CHECK(fn == (void *)gpa2);
  CHECK(gpa("cuGetProcAddress", &fn, 11030, 0) == CUDA_SUCCESS);
  CHECK(fn == (void *)gpa);
  void *nested = NULL;
  CHECK(((gpa_fn)fn)("cuMemAlloc", &nested, 11080, 0) == CUDA_SUCCESS && preloaded(nested));
  /* not hooked: the driver's function; unknown: the driver's status */
  CHECK(gpa2("cuModuleLoadData", &fn, 12000, 0, &status) == CUDA_SUCCESS && !preloaded(fn));
  CHECK(gpa2("cuNoSuchFunction", &fn, 12000, 0, &status) == CUDA_ERROR_NOT_FOUND);
  CHECK(status == CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND && fn == NULL);
  CHECK(gpa2("cuMemAllocAsync", &fn, 11000, 0, &status) == CUDA_ERROR_NOT_FOUND);
  CHECK(status == CU_GET_PROC_ADDRESS_VERSION_NOT_SUFFICIENT);
  CHECK_DONE();
}

/* SM limit 50, FORCE: every launch path goes through the limiter and calls the right variant */
static int launch_paths(void) {
  uint64_t (*metered)(void) = (uint64_t(*)(void))dlsym(RTLD_DEFAULT, "vgpu_stat_metered_launches");
  CHECK(metered != NULL);
  if (metered == NULL) CHECK_DONE();
  CHECK(cuInit(0) == CUDA_SUCCESS);
  use_device(0);
  uint64_t m0 = metered();
  CUlaunchConfig cfg = {.gridDimX = 1, .gridDimY = 1, .gridDimZ = 1, .blockDimX = 1, .blockDimY = 1, .blockDimZ = 1};
  CHECK(cuLaunchKernel(NULL, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL) == 0);
  CHECK(strcmp(stub_cuda_last_call(), "cuLaunchKernel") == 0);
  CHECK(cuLaunchKernel_ptsz(NULL, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL) == 0);
  CHECK(strcmp(stub_cuda_last_call(), "cuLaunchKernel_ptsz") == 0);
  CHECK(cuLaunchKernelEx(&cfg, NULL, NULL, NULL) == 0);
  CHECK(strcmp(stub_cuda_last_call(), "cuLaunchKernelEx") == 0);
  CHECK(cuLaunchKernelEx_ptsz(&cfg, NULL, NULL, NULL) == 0);
  CHECK(strcmp(stub_cuda_last_call(), "cuLaunchKernelEx_ptsz") == 0);
  CHECK(cuLaunchCooperativeKernel(NULL, 1, 1, 1, 1, 1, 1, 0, NULL, NULL) == 0);
  CHECK(strcmp(stub_cuda_last_call(), "cuLaunchCooperativeKernel") == 0);
  CHECK(cuLaunchCooperativeKernel_ptsz(NULL, 1, 1, 1, 1, 1, 1, 0, NULL, NULL) == 0);
  CHECK(strcmp(stub_cuda_last_call(), "cuLaunchCooperativeKernel_ptsz") == 0);
  CHECK(cuGraphLaunch(NULL, NULL) == 0);
  CHECK(strcmp(stub_cuda_last_call(), "cuGraphLaunch") == 0);
  CHECK(cuGraphLaunch_ptsz(NULL, NULL) == 0);
  CHECK(strcmp(stub_cuda_last_call(), "cuGraphLaunch_ptsz") == 0);
  CHECK_EQ_U(metered() - m0, 8);
  CHECK_DONE();
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* argv: expect "throttled" or "free". Launches of a full-pool grid for 0.6 s; stub reports 100% utilisation. */
static int throttle(const char *expect) {
  uint64_t (*waits)(void) = (uint64_t(*)(void))dlsym(RTLD_DEFAULT, "vgpu_stat_throttled_launches");
  CHECK(waits != NULL);
  if (waits == NULL) CHECK_DONE();
  CHECK(cuInit(0) == CUDA_SUCCESS);
  use_device(0);
  double t0 = now_s();
  long n = 0;
  while (now_s() - t0 < 0.6) { /* 132 SMs x 64 = 8448 tokens in the pool; a 10% share is 844 blocks */
    CHECK(cuLaunchKernel(NULL, 844, 1, 1, 128, 1, 1, 0, NULL, NULL, NULL) == 0);
    n++;
  }
  fprintf(stderr, "%ld launches in 0.6 s, %llu waited\n", n, (unsigned long long)waits());
  if (strcmp(expect, "throttled") == 0) {
    CHECK(n < 60); /* refills every 100 ms of at most the share: a handful of launches */
    CHECK(waits() > 0);
  } else {
    CHECK(n > 1000);
    CHECK_EQ_U(waits(), 0);
  }
  CHECK_DONE();
}

static void race_setup(void) { use_device(0); }
static int race_alloc(uint64_t *key, size_t bytes, uint64_t r) {
  (void)r;
  CUdeviceptr p = 0;
  CUresult rc = cuMemAlloc_v2(&p, bytes);
  *key = p;
  return rc;
}
static int race_free(uint64_t key, uint64_t r) {
  (void)r;
  return cuMemFree_v2(key);
}
static unsigned long long race_used(void) { return stub_cuda_used(0); }

/* 16 forked workers race against a 1 GiB limit on one shared file: the sum never exceeds it. */
static int race(void) {
  CHECK(cuInit(0) == CUDA_SUCCESS);
  race_ops o = {16, 1024 * MIB, race_setup, race_alloc, race_free, CUDA_ERROR_OUT_OF_MEMORY, race_used,
                stub_cuda_shared_peak};
  race_run(&o, "CUDA workers");
  use_device(0);
  CHECK_EQ_U(free_now(), 1024 * MIB); /* everything returned */
  CHECK_DONE();
}

/* A worker killed with SIGKILL while holding 768 MiB of a 1 GiB limit: its memory is reclaimed. */
static int killmem(void) {
  CHECK(cuInit(0) == CUDA_SUCCESS);
  int up[2];
  CHECK(pipe(up) == 0);
  pid_t k = fork();
  if (k == 0) {
    use_device(0);
    CUdeviceptr p;
    char c = cuMemAlloc_v2(&p, 768 * MIB) == CUDA_SUCCESS ? 'y' : 'n';
    if (write(up[1], &c, 1) != 1) _exit(2);
    for (;;) pause();
  }
  char c = 0;
  CHECK(read(up[0], &c, 1) == 1 && c == 'y');
  use_device(0);
  CUdeviceptr p;
  CHECK(cuMemAlloc_v2(&p, 512 * MIB) == CUDA_ERROR_OUT_OF_MEMORY); /* it is alive and holds 768 */
  kill(k, SIGKILL);
  waitpid(k, NULL, 0);
  CHECK(cuMemAlloc_v2(&p, 1024 * MIB) == CUDA_SUCCESS); /* reclaimed on demand */
  CHECK(cuMemFree_v2(p) == CUDA_SUCCESS);
  CHECK_DONE();
}

typedef CUresult (*ctx_create_v4_fn)(CUcontext *, CUctxCreateParams *, unsigned int, CUdevice);

/* The stub answers cuGetProcAddress with non-exported thunks: the name/version fallback picks the hook, never a
 * hook of another ABI (cuCtxCreate at 13000 is the v4 ABI, which is not hooked). limit 0 = 64m */
static int procaddr_thunks(void) {
  void *h = dlopen("libcuda.so.1", RTLD_NOW);
  gpa2_fn gpa2 = (gpa2_fn)dlsym(h, "cuGetProcAddress_v2");
  CHECK(cuInit(0) == CUDA_SUCCESS);
  use_device(0);
  void *fn = NULL;
  int status;
  CHECK(gpa2("cuMemAlloc", &fn, 12040, 0, &status) == CUDA_SUCCESS && preloaded(fn));
  CUdeviceptr p;
  CHECK(((alloc_fn)fn)(&p, 64 * MIB) == CUDA_SUCCESS);
  CHECK(((alloc_fn)fn)(&p, 1) == CUDA_ERROR_OUT_OF_MEMORY);
  CHECK(gpa2("cuLaunchKernel", &fn, 12000, CU_GET_PROC_ADDRESS_PER_THREAD_DEFAULT_STREAM, &status) == 0);
  CHECK(preloaded(fn));
  CHECK(((launch_fn)fn)(NULL, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL) == CUDA_SUCCESS);
  CHECK(strcmp(stub_cuda_last_call(), "cuLaunchKernel_ptsz") == 0);
  CHECK(gpa2("cuCtxCreate", &fn, 12000, 0, &status) == CUDA_SUCCESS && preloaded(fn));
  /* 13000 is the v4 ABI: the driver answers with a thunk, the fallback picks the v4 hook, which calls the driver's v4 */
  CHECK(gpa2("cuCtxCreate", &fn, 13000, 0, &status) == CUDA_SUCCESS && preloaded(fn) && fn == (void *)cuCtxCreate_v4);
  CUcontext c4;
  CHECK(((ctx_create_v4_fn)fn)(&c4, NULL, 0, 0) == CUDA_SUCCESS);
  CHECK(strcmp(stub_cuda_last_call(), "cuCtxCreate_v4") == 0);
  CHECK(cuCtxDestroy_v2(c4) == CUDA_SUCCESS);
  CHECK(gpa2("cuMemAlloc", &fn, 3000, 0, &status) == CUDA_SUCCESS && !preloaded(fn));
  CHECK_DONE();
}

/* limit 0 = 64m, each new context takes 10m on the stub card: charged like an allocation */
static int contexts(void) {
  CHECK(cuInit(0) == CUDA_SUCCESS);
  use_device(0);
  CHECK_EQ_U(free_now(), 54 * MIB);
  use_device(0); /* retaining again charges nothing more */
  CHECK_EQ_U(free_now(), 54 * MIB);
  CUcontext c;
  CHECK(cuCtxCreate_v2(&c, 0, 0) == CUDA_SUCCESS);
  CHECK_EQ_U(free_now(), 44 * MIB);
  CUdeviceptr p;
  CHECK(cuMemAlloc_v2(&p, 44 * MIB) == CUDA_SUCCESS);
  CHECK(cuMemAlloc_v2(&p, 1) == CUDA_ERROR_OUT_OF_MEMORY);
  CHECK(cuMemFree_v2(p) == CUDA_SUCCESS);
  CHECK(cuCtxDestroy_v2(c) == CUDA_SUCCESS);
  use_device(0);
  CHECK_EQ_U(free_now(), 54 * MIB);
  /* the v3 (affinity) and v4 (params) ABIs are charged the same way */
  CUcontext c3, c4;
  CHECK(cuCtxCreate_v3(&c3, NULL, 0, 0, 0) == CUDA_SUCCESS);
  CHECK(strcmp(stub_cuda_last_call(), "cuCtxCreate_v3") == 0);
  CHECK_EQ_U(free_now(), 44 * MIB);
  CHECK(cuCtxCreate_v4(&c4, NULL, 0, 0) == CUDA_SUCCESS);
  CHECK(strcmp(stub_cuda_last_call(), "cuCtxCreate_v4") == 0);
  CHECK_EQ_U(free_now(), 34 * MIB);
  CHECK(cuCtxDestroy_v2(c3) == CUDA_SUCCESS);
  CHECK(cuCtxDestroy_v2(c4) == CUDA_SUCCESS);
  use_device(0);
  CHECK_EQ_U(free_now(), 54 * MIB);
  CHECK_DONE();
}

#include <pthread.h>
static void *churn(void *arg) {
  (void)arg;
  use_device(0);
  CUdeviceptr ptrs[8];
  for (int round = 0; round < 2000; round++) {
    int n = 0;
    for (int i = 0; i < 8; i++)
      if (cuMemAlloc_v2(&ptrs[n], MIB) == CUDA_SUCCESS) n++;
    size_t f = free_now();
    CHECK(f <= 64 * MIB);
    while (n > 0) CHECK(cuMemFree_v2(ptrs[--n]) == CUDA_SUCCESS);
  }
  return NULL;
}

/* 8 threads of one process churn allocations under a 64m limit; a forked child has its own slot. */
static int threads_and_fork(void) {
  CHECK(cuInit(0) == CUDA_SUCCESS);
  pthread_t t[8];
  for (int i = 0; i < 8; i++) CHECK(pthread_create(&t[i], NULL, churn, NULL) == 0);
  for (int i = 0; i < 8; i++) pthread_join(t[i], NULL);
  use_device(0);
  CHECK_EQ_U(free_now(), 64 * MIB);
  CHECK_EQ_U(stub_cuda_used(0), 0);
  CUdeviceptr p, q;
  CHECK(cuMemAlloc_v2(&p, 32 * MIB) == CUDA_SUCCESS);
  pid_t k = fork();
  if (k == 0) {
    use_device(0);
    int bad = 0;
    if (cuMemAlloc_v2(&q, 32 * MIB) != CUDA_SUCCESS) bad |= 1;  /* the child has its own slot */
    if (cuMemAlloc_v2(&q, 1) != CUDA_ERROR_OUT_OF_MEMORY) bad |= 2; /* and sees the parent's 32m */
    _exit(bad); /* exits holding 32m: returned with its slot */
  }
  int st;
  CHECK(waitpid(k, &st, 0) == k && WIFEXITED(st) && WEXITSTATUS(st) == 0);
  CHECK(cuMemAlloc_v2(&q, 32 * MIB) == CUDA_SUCCESS);
  CHECK(cuMemFree_v2(q) == CUDA_SUCCESS);
  CHECK(cuMemFree_v2(p) == CUDA_SUCCESS);
  CHECK_EQ_U(free_now(), 64 * MIB);
  CHECK_DONE();
}

static CUresult add_alloc_node(CUgraph g, size_t bytes) {
  CUDA_MEM_ALLOC_NODE_PARAMS p;
  memset(&p, 0, sizeof p);
  p.poolProps.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
  p.poolProps.location.id = 0;
  p.bytesize = bytes;
  CUgraphNode n;
  return cuGraphAddMemAllocNode(&n, g, NULL, 0, &p);
}

/* limit 0 = 64m: graph memory nodes are charged when the graph is instantiated, until the exec is destroyed */
static int graphs(void) {
  CHECK(cuInit(0) == CUDA_SUCCESS);
  use_device(0);
  CUgraph g;
  CHECK(cuGraphCreate(&g, 0) == CUDA_SUCCESS);
  CUgraphNode e;
  CHECK(cuGraphAddEmptyNode(&e, g, NULL, 0) == CUDA_SUCCESS);
  CHECK(add_alloc_node(g, 40 * MIB) == CUDA_SUCCESS);
  CHECK_EQ_U(free_now(), 64 * MIB);                                    /* an address only, not memory yet */
  CHECK(add_alloc_node(g, 30 * MIB) == CUDA_ERROR_OUT_OF_MEMORY);      /* 70 MiB could never fit */
  CHECK(add_alloc_node(g, 20 * MIB) == CUDA_SUCCESS);
  CUgraphExec x, y;
  CHECK(cuGraphInstantiateWithFlags(&x, g, 0) == CUDA_SUCCESS);
  CHECK_EQ_U(free_now(), 4 * MIB);
  CHECK_EQ_U(stub_cuda_used(0), 60 * MIB);
  CUdeviceptr p;
  CHECK(cuMemAlloc_v2(&p, 8 * MIB) == CUDA_ERROR_OUT_OF_MEMORY);
  unsigned long long before = stub_cuda_used(0);
  CHECK(cuGraphInstantiate_v2(&y, g, NULL, NULL, 0) == CUDA_ERROR_OUT_OF_MEMORY); /* a second exec: 60 more */
  CHECK(cuGraphInstantiateWithParams(&y, g, NULL) == CUDA_ERROR_OUT_OF_MEMORY);
  CHECK_EQ_U(stub_cuda_used(0), before);                              /* refused before the driver allocated */
  CHECK(cuGraphExecDestroy(x) == CUDA_SUCCESS);
  CHECK_EQ_U(free_now(), 64 * MIB);
  CHECK(cuGraphInstantiate_v2(&y, g, NULL, NULL, 0) == CUDA_SUCCESS);
  CHECK_EQ_U(free_now(), 4 * MIB);
  CHECK(cuGraphExecDestroy(y) == CUDA_SUCCESS);
  CHECK(cuGraphDestroy(g) == CUDA_SUCCESS);
  /* stream capture: cuMemAllocAsync on a capturing stream becomes a node, charged once, at instantiation */
  CUstream s = (CUstream)(uintptr_t)0x51;
  CHECK(cuStreamBeginCapture_v2(s, 0) == CUDA_SUCCESS);
  CHECK(cuMemAllocAsync(&p, 32 * MIB, s) == CUDA_SUCCESS);
  CHECK_EQ_U(free_now(), 64 * MIB);
  CHECK(cuStreamEndCapture(s, &g) == CUDA_SUCCESS);
  CHECK(cuGraphInstantiateWithFlags(&x, g, 0) == CUDA_SUCCESS);
  CHECK_EQ_U(free_now(), 32 * MIB);
  CHECK(cuMemAlloc_v2(&p, 33 * MIB) == CUDA_ERROR_OUT_OF_MEMORY);
  CHECK(cuGraphExecDestroy(x) == CUDA_SUCCESS);
  CHECK_EQ_U(free_now(), 64 * MIB);
  CHECK_EQ_U(stub_cuda_used(0), 0);
  /* cuGetProcAddress: the graph hooks by base name and version */
  void *h = dlopen("libcuda.so.1", RTLD_NOW);
  gpa2_fn gpa2 = (gpa2_fn)dlsym(h, "cuGetProcAddress_v2");
  void *fn = NULL;
  int status;
  CHECK(gpa2("cuGraphInstantiate", &fn, 12000, 0, &status) == 0 && fn == (void *)cuGraphInstantiateWithFlags);
  CHECK(gpa2("cuGraphInstantiate", &fn, 11000, 0, &status) == 0 && fn == (void *)cuGraphInstantiate_v2);
  CHECK(gpa2("cuGraphAddMemAllocNode", &fn, 11040, 0, &status) == 0 && fn == (void *)cuGraphAddMemAllocNode);
  CHECK(gpa2("cuCtxCreate", &fn, 11040, 0, &status) == 0 && fn == (void *)cuCtxCreate_v3);
  CHECK(gpa2("cuCtxCreate", &fn, 12050, 0, &status) == 0 && fn == (void *)cuCtxCreate_v4);
  CHECK(gpa2("cuCtxCreate", &fn, 3020, 0, &status) == 0 && fn == (void *)cuCtxCreate_v2);
  CHECK_DONE();
}


/* The own region, mapped read-only (what a node monitor reads). */
static const vgpu_region *map_region(void) {
  const char *path = getenv("CUDA_DEVICE_MEMORY_SHARED_CACHE");
  int fd = path ? open(path, O_RDONLY) : -1;
  CHECK(fd >= 0);
  if (fd < 0) return NULL;
  void *m = mmap(NULL, sizeof(vgpu_region), PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  CHECK(m != MAP_FAILED);
  return m == MAP_FAILED ? NULL : m;
}
static int32_t slot_host_pid(const vgpu_region *r, pid_t pid) {
  for (uint32_t i = 0; r != NULL && i < r->slot_high && i < VGPU_MAX_SLOTS; i++)
    if (r->slots[i].pid == pid) return __atomic_load_n(&r->slots[i].host_pid, __ATOMIC_ACQUIRE);
  return -1;
}

/* Host PID discovery: every process's slot carries its PID as NVML reports it (the node's namespace), also when
 * several processes of the container create their contexts at the same moment. Run inside a PID namespace by
 * tests/hostpid_ns.sh, where the two PIDs differ; outside one they are equal. */
static int hostpid(void) {
  CHECK(cuInit(0) == CUDA_SUCCESS);
  use_device(0);
  const vgpu_region *r = map_region();
  int host = stub_host_pid();
  fprintf(stderr, "pid %d, host pid %d\n", (int)getpid(), host);
  CHECK_EQ_U(slot_host_pid(r, getpid()), host);
  if (getenv("STUB_HOST_PROC") != NULL) CHECK(host != getpid()); /* really in another PID namespace */
  enum { KIDS = 4 };
  int up[2], go[2], done[2];
  CHECK(pipe(up) == 0 && pipe(go) == 0 && pipe(done) == 0);
  pid_t kids[KIDS];
  for (int k = 0; k < KIDS; k++) {
    kids[k] = fork();
    if (kids[k] == 0) {
      char c;
      if (read(go[0], &c, 1) != 1) _exit(2); /* all start their contexts together */
      CUcontext ctx;
      int ids[2] = {(int)getpid(), stub_host_pid()};
      if (cuCtxCreate_v2(&ctx, 0, 0) != CUDA_SUCCESS) _exit(3);
      if (write(up[1], ids, sizeof ids) != sizeof ids) _exit(4);
      if (read(done[0], &c, 1) != 1) _exit(5); /* stay alive until checked */
      _exit(0);
    }
  }
  char starts[KIDS];
  memset(starts, 's', sizeof starts);
  CHECK(write(go[1], starts, KIDS) == KIDS);
  for (int k = 0; k < KIDS; k++) {
    int ids[2];
    CHECK(read(up[0], ids, sizeof ids) == sizeof ids);
    int32_t got = slot_host_pid(r, ids[0]);
    if (got != ids[1]) fprintf(stderr, "child %d: slot host_pid %d, want %d\n", ids[0], got, ids[1]);
    CHECK(got == ids[1]);
  }
  CHECK(write(done[1], starts, KIDS) == KIDS);
  for (int k = 0; k < KIDS; k++) {
    int st;
    CHECK(waitpid(kids[k], &st, 0) == kids[k] && WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  /* the SM limiter matches NVML's per-process samples through the host PID (the watcher logs which it used) */
  for (int i = 0; i < 40; i++) {
    CHECK(cuLaunchKernel(NULL, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL) == CUDA_SUCCESS);
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  CHECK_DONE();
}

int main(int argc, char **argv) {
  if (argc < 2) return 64;
  const char *t = argv[1];
  if (strcmp(t, "limits") == 0) return limits();
  if (strcmp(t, "producers") == 0) return producers();
  if (strcmp(t, "oversubscribe") == 0) return oversubscribe();
  if (strcmp(t, "dlsym") == 0) return dlsym_path();
  if (strcmp(t, "procaddr") == 0) return procaddr();
  if (strcmp(t, "launch") == 0) return launch_paths();
  if (strcmp(t, "throttle") == 0 && argc > 2) return throttle(argv[2]);
  if (strcmp(t, "race") == 0) return race();
  if (strcmp(t, "contexts") == 0) return contexts();
  if (strcmp(t, "threads_and_fork") == 0) return threads_and_fork();
  if (strcmp(t, "procaddr_thunks") == 0) return procaddr_thunks();
  if (strcmp(t, "killmem") == 0) return killmem();
  if (strcmp(t, "graphs") == 0) return graphs();
  if (strcmp(t, "hostpid") == 0) return hostpid();
  fprintf(stderr, "unknown test %s\n", t);
  return 64;
}
