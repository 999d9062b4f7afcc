/*
 * Per-call cost against the stub runtimes: cuLaunchKernel and cuMemAlloc_v2+cuMemFree_v2 (CUDA), aclrtLaunchKernel
 * and aclrtMalloc+aclrtFree (Ascend: ACL over the runtime, so under the preload both layers' hooks are crossed).
 * Linked directly against the stubs; run with and without LD_PRELOAD=libvgpu.so (scripts/bench.sh does both and
 * prints the table). Prints: launch_ns=<x> allocfree_ns=<y> npu_launch_ns=<z> npu_allocfree_ns=<w>
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../stub/runtime_api.h"

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
  long n_launch = argc > 1 ? atol(argv[1]) : 2000000;
  long n_alloc = argc > 2 ? atol(argv[2]) : 500000;
  CUcontext c;
  if (cuInit(0) || cuDevicePrimaryCtxRetain(&c, 0) || cuCtxSetCurrent(c) || aclrtSetDevice(0)) return 1;
  CUdeviceptr p;
  void *q;
  for (int i = 0; i < 1000; i++) { /* warm up (the first calls initialise libvgpu) */
    cuLaunchKernel(NULL, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL);
    if (cuMemAlloc_v2(&p, 4096) == 0) cuMemFree_v2(p);
    aclrtLaunchKernel(NULL, 1, NULL, 0, NULL);
    if (aclrtMalloc(&q, 4096, 0) == 0) aclrtFree(q);
  }
  double t[5];
  t[0] = now_ns();
  for (long i = 0; i < n_launch; i++) cuLaunchKernel(NULL, 1, 1, 1, 1, 1, 1, 0, NULL, NULL, NULL);
  t[1] = now_ns();
  for (long i = 0; i < n_alloc; i++) {
    if (cuMemAlloc_v2(&p, 4096) != 0) return 2;
    cuMemFree_v2(p);
  }
  t[2] = now_ns();
  for (long i = 0; i < n_launch; i++) aclrtLaunchKernel(NULL, 1, NULL, 0, NULL);
  t[3] = now_ns();
  for (long i = 0; i < n_alloc; i++) {
    if (aclrtMalloc(&q, 4096, 0) != 0) return 3;
    aclrtFree(q);
  }
  t[4] = now_ns();
  printf("launch_ns=%.1f allocfree_ns=%.1f npu_launch_ns=%.1f npu_allocfree_ns=%.1f\n", (t[1] - t[0]) / (double)n_launch,
         (t[2] - t[1]) / (double)n_alloc, (t[3] - t[2]) / (double)n_launch, (t[4] - t[3]) / (double)n_alloc);
  return 0;
}
