/*
 * vgpu-gpucheck: driver-API checks for scripts/gpu-check.sh (real GPU or the stub driver).
 * No nvcc needed: kernels are hand-written PTX loaded with cuModuleLoadData.
 *   vgpu-gpucheck mem                       -> "meminfo total_mib=T free_mib=F" then "alloc_total=ok|oom|error:<rc>",
 *                                              "alloc_plus_1mib=ok|oom|error:<rc>"
 *   vgpu-gpucheck kernel <seconds> <iters>  -> "kernels_per_s=X" (saturating kernel, synchronised each launch)
 *   vgpu-gpucheck launches <count>          -> "ns_per_launch=X" (empty kernel, asynchronous)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
typedef void *CUcontext, *CUmodule, *CUfunction, *CUstream;

static const char PTX[] =
    ".version 7.0\n"
    ".target sm_50\n"
    ".address_size 64\n"
    ".visible .entry spin(.param .u64 out, .param .u32 iters)\n"
    "{\n"
    "  .reg .pred p;\n"
    "  .reg .b32 r<4>;\n"
    "  .reg .f32 f<3>;\n"
    "  .reg .b64 rd<4>;\n"
    "  ld.param.u32 r1, [iters];\n"
    "  mov.u32 r2, 0;\n"
    "  mov.f32 f1, 0f3F800000;\n"
    "  mov.f32 f2, 0f3F000000;\n"
    "LOOP:\n"
    "  fma.rn.f32 f1, f1, f2, f2;\n"
    "  add.u32 r2, r2, 1;\n"
    "  setp.lt.u32 p, r2, r1;\n"
    "  @p bra LOOP;\n"
    "  ld.param.u64 rd1, [out];\n"
    "  cvta.to.global.u64 rd2, rd1;\n"
    "  mov.u32 r3, %tid.x;\n"
    "  mul.wide.u32 rd3, r3, 4;\n"
    "  add.u64 rd2, rd2, rd3;\n"
    "  st.global.f32 [rd2], f1;\n"
    "  ret;\n"
    "}\n"
    ".visible .entry empty()\n"
    "{\n"
    "  ret;\n"
    "}\n";

static void *cuda;
static void *sym(const char *n) {
  void *p = dlsym(cuda, n);
  if (p == NULL) {
    printf("error: missing %s\n", n);
    exit(1);
  }
  return p;
}
#define FN(name, ret, args) ret(*name) args = (ret(*) args)sym(#name)
#define OK(call)                                                  \
  do {                                                            \
    CUresult rc_ = (call);                                        \
    if (rc_ != 0) {                                               \
      printf("error: %s = %d\n", #call, rc_);                     \
      return 1;                                                   \
    }                                                             \
  } while (0)

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc < 2) return 64;
  cuda = dlopen("libcuda.so.1", RTLD_NOW);
  if (cuda == NULL) {
    printf("error: no libcuda.so.1 (%s)\n", dlerror());
    return 1;
  }
  FN(cuInit, CUresult, (unsigned));
  FN(cuDevicePrimaryCtxRetain, CUresult, (CUcontext *, int));
  FN(cuCtxSetCurrent, CUresult, (CUcontext));
  FN(cuCtxSynchronize, CUresult, (void));
  FN(cuMemGetInfo_v2, CUresult, (size_t *, size_t *));
  FN(cuMemAlloc_v2, CUresult, (CUdeviceptr *, size_t));
  FN(cuMemFree_v2, CUresult, (CUdeviceptr));
  FN(cuModuleLoadData, CUresult, (CUmodule *, const void *));
  FN(cuModuleGetFunction, CUresult, (CUfunction *, CUmodule, const char *));
  FN(cuDeviceGetAttribute, CUresult, (int *, int, int));
  FN(cuLaunchKernel, CUresult, (CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                                 CUstream, void **, void **));
  CUcontext ctx;
  OK(cuInit(0));
  OK(cuDevicePrimaryCtxRetain(&ctx, 0));
  OK(cuCtxSetCurrent(ctx));
  if (strcmp(argv[1], "mem") == 0) {
    size_t f, t;
    OK(cuMemGetInfo_v2(&f, &t));
    printf("meminfo total_mib=%zu free_mib=%zu\n", t >> 20, f >> 20);
    CUdeviceptr a = 0, b = 0;
    CUresult rc = cuMemAlloc_v2(&a, f);
    printf("alloc_total=%s\n", rc == 0 ? "ok" : rc == 2 ? "oom" : "error");
    CUresult rc2 = cuMemAlloc_v2(&b, 1 << 20);
    printf("alloc_plus_1mib=%s\n", rc2 == 0 ? "ok" : rc2 == 2 ? "oom" : "error");
    if (rc == 0) cuMemFree_v2(a);
    if (rc2 == 0) cuMemFree_v2(b);
    return 0;
  }
  CUmodule mod;
  CUfunction spin, empty;
  OK(cuModuleLoadData(&mod, PTX));
  OK(cuModuleGetFunction(&spin, mod, "spin"));
  OK(cuModuleGetFunction(&empty, mod, "empty"));
  int sms = 1;
  OK(cuDeviceGetAttribute(&sms, 16, 0));
  if (strcmp(argv[1], "kernel") == 0 && argc >= 4) {
    double secs = atof(argv[2]);
    unsigned iters = (unsigned)strtoul(argv[3], NULL, 10);
    CUdeviceptr out;
    OK(cuMemAlloc_v2(&out, 1024 * sizeof(float)));
    void *params[] = {&out, &iters};
    OK(cuLaunchKernel(spin, (unsigned)sms * 8, 1, 1, 256, 1, 1, 0, NULL, params, NULL)); /* warm up */
    OK(cuCtxSynchronize());
    long n = 0;
    double t0 = now_s();
    while (now_s() - t0 < secs) {
      OK(cuLaunchKernel(spin, (unsigned)sms * 8, 1, 1, 256, 1, 1, 0, NULL, params, NULL));
      OK(cuCtxSynchronize());
      n++;
    }
    printf("kernels_per_s=%.2f\n", (double)n / (now_s() - t0));
    cuMemFree_v2(out);
    return 0;
  }
  if (strcmp(argv[1], "launches") == 0 && argc >= 3) {
    long n = atol(argv[2]);
    for (int i = 0; i < 1000; i++) OK(cuLaunchKernel(empty, 1, 1, 1, 32, 1, 1, 0, NULL, NULL, NULL));
    OK(cuCtxSynchronize());
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
      OK(cuLaunchKernel(empty, 1, 1, 1, 32, 1, 1, 0, NULL, NULL, NULL));
      if (i % 4096 == 4095) OK(cuCtxSynchronize()); /* keep the queue from filling */
    }
    OK(cuCtxSynchronize());
    printf("ns_per_launch=%.1f\n", (now_s() - t0) * 1e9 / (double)n);
    return 0;
  }
  return 64;
}
